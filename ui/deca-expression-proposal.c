/* deca-expression-proposal.c: one proposal of the expression completion. */

#include "config.h"

#include "deca-expression-proposal.h"

struct _DecaExpressionProposal
{
  GObject parent_instance;

  DecaExpressionProposalKind kind;
  char *text;
  char *detail;
};

static void proposal_iface_init (GtkSourceCompletionProposalInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (DecaExpressionProposal, deca_expression_proposal, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (GTK_SOURCE_TYPE_COMPLETION_PROPOSAL,
                                                      proposal_iface_init))

static char *
deca_expression_proposal_get_typed_text (GtkSourceCompletionProposal *proposal)
{
  return g_strdup (DECA_EXPRESSION_PROPOSAL (proposal)->text);
}

static void
proposal_iface_init (GtkSourceCompletionProposalInterface *iface)
{
  iface->get_typed_text = deca_expression_proposal_get_typed_text;
}

static void
deca_expression_proposal_finalize (GObject *object)
{
  DecaExpressionProposal *self = DECA_EXPRESSION_PROPOSAL (object);

  g_free (self->text);
  g_free (self->detail);
  G_OBJECT_CLASS (deca_expression_proposal_parent_class)->finalize (object);
}

static void
deca_expression_proposal_class_init (DecaExpressionProposalClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = deca_expression_proposal_finalize;
}

static void
deca_expression_proposal_init (DecaExpressionProposal *self)
{
}

DecaExpressionProposal *
deca_expression_proposal_new (DecaExpressionProposalKind  kind,
                              const char                 *text,
                              const char                 *detail)
{
  DecaExpressionProposal *self;

  g_return_val_if_fail (text != NULL, NULL);

  self = g_object_new (DECA_TYPE_EXPRESSION_PROPOSAL, NULL);
  self->kind = kind;
  self->text = g_strdup (text);
  self->detail = g_strdup (detail);
  return self;
}

const char *
deca_expression_proposal_get_text (DecaExpressionProposal *self)
{
  g_return_val_if_fail (DECA_IS_EXPRESSION_PROPOSAL (self), NULL);
  return self->text;
}

const char *
deca_expression_proposal_get_detail (DecaExpressionProposal *self)
{
  g_return_val_if_fail (DECA_IS_EXPRESSION_PROPOSAL (self), NULL);
  return self->detail;
}

DecaExpressionProposalKind
deca_expression_proposal_get_kind (DecaExpressionProposal *self)
{
  g_return_val_if_fail (DECA_IS_EXPRESSION_PROPOSAL (self), DECA_EXPRESSION_PROPOSAL_ROOT);
  return self->kind;
}
