#pragma once

#include <gtksourceview/gtksource.h>

G_BEGIN_DECLS

/*
 * DecaExpressionProposal: one completion proposal of DecaExpressionCompletion: a name to
 * insert (a node id, a root such as "input", an output field, a function) with a short
 * note on what it is.
 */

typedef enum {
  DECA_EXPRESSION_PROPOSAL_NODE,      /* a node id: its output */
  DECA_EXPRESSION_PROPOSAL_ROOT,      /* input, env, credentials, execution, item, ... */
  DECA_EXPRESSION_PROPOSAL_FIELD,     /* a member after "root." */
  DECA_EXPRESSION_PROPOSAL_FUNCTION,  /* length(), lower(), ... */
} DecaExpressionProposalKind;

#define DECA_TYPE_EXPRESSION_PROPOSAL (deca_expression_proposal_get_type ())
G_DECLARE_FINAL_TYPE (DecaExpressionProposal, deca_expression_proposal,
                      DECA, EXPRESSION_PROPOSAL, GObject)

DecaExpressionProposal     *deca_expression_proposal_new        (DecaExpressionProposalKind  kind,
                                                                 const char                 *text,
                                                                 const char                 *detail);
/* The name as inserted ("validate-input", "status"). */
const char                 *deca_expression_proposal_get_text   (DecaExpressionProposal     *self);
/* (nullable) A short translated note ("HTTP request", "the execution's input"). */
const char                 *deca_expression_proposal_get_detail (DecaExpressionProposal     *self);
DecaExpressionProposalKind  deca_expression_proposal_get_kind   (DecaExpressionProposal     *self);

G_END_DECLS
