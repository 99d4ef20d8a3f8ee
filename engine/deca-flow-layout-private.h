#pragma once

#include "deca-flow-layout.h"

G_BEGIN_DECLS

/*
 * What the layered layout keeps to itself, for tests: where the long connections run.
 * A connection that spans more than one layer passes each layer it crosses in a lane of
 * its own, which the layout keeps free of cards (see docs/layout.md).
 */

/**
 * DecaFlowLayoutLane:
 * @from: index in "nodes" of the connection's source node
 * @to: index in "nodes" of its target node
 * @x: left edge of the lane, that of the cards of its layer
 * @y: top edge of the lane
 * @width: the cards' width
 * @height: the lane's height
 */
typedef struct {
  guint from;
  guint to;
  double x;
  double y;
  double width;
  double height;
} DecaFlowLayoutLane;

/* deca_flow_layout_layered(), which also appends to @lanes (of DecaFlowLayoutLane) one
 * lane per layer crossed by each connection it laid out, in no particular order.
 * Repeated connections between the same two nodes share their lanes. */
gboolean _deca_flow_layout_layered_lanes (JsonNode                    *flow_document,
                                          const DecaFlowLayoutOptions *options,
                                          GArray                      *lanes,
                                          GError                     **error);

G_END_DECLS
