#pragma once

#include <json-glib/json-glib.h>

G_BEGIN_DECLS

/*
 * Automatic layered layout of a flow document, for flows that arrive without positions
 * (imports, flows written by hand). Pure computation on the JSON document: no GTK, no
 * model objects, so the studio, the CLI and tests share it. See docs/layout.md.
 */

/**
 * DecaFlowLayoutOptions:
 * @node_width: width of a node card; a position is the card's top-left corner
 * @node_height: height of a node card
 * @layer_gap: horizontal space between the cards of two neighbouring layers
 * @node_gap: vertical space between two cards of one layer, and between components
 * @keep_existing: only place nodes without a valid position; nodes that have one keep it
 *
 * Sizes are in canvas units. Fill it with deca_flow_layout_options_init() and change what
 * differs, so that fields added later get their defaults.
 */
typedef struct {
  double node_width;
  double node_height;
  double layer_gap;
  double node_gap;
  gboolean keep_existing;
} DecaFlowLayoutOptions;

void     deca_flow_layout_options_init (DecaFlowLayoutOptions       *options);

gboolean deca_flow_layout_layered      (JsonNode                    *flow_document,
                                        const DecaFlowLayoutOptions *options,
                                        GError                     **error);

G_END_DECLS
