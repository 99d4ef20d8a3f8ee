/* deca-expression-completion.c: completion of node ids, roots and output fields in
 * expression and template fields. */

#include "config.h"

#include <glib/gi18n-lib.h>
#include <string.h>

#include "deca-expression-completion.h"
#include "deca-json.h"
#include "deca-expression-proposal.h"

struct _DecaExpressionCompletion
{
  GObject parent_instance;

  DecaFlowDocument *document;
  char *node_id;
  gboolean template_mode;
};

static void provider_iface_init (GtkSourceCompletionProviderInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (DecaExpressionCompletion, deca_expression_completion, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (GTK_SOURCE_TYPE_COMPLETION_PROVIDER,
                                                      provider_iface_init))

/* What each built-in type outputs, from docs/nodes.md. Dotted names are nested members. A
 * type missing here (loop and map outputs are arrays, subflow outputs whatever the child
 * flow does) has no fields to propose. */
typedef struct {
  const char *type;
  const char *fields[6];
} OutputFields;

static const OutputFields output_fields[] = {
  { "http", { "status", "headers", "body", "url", NULL } },
  { "respond", { "status", "headers", "body", NULL } },
  { "condition", { "result", NULL } },
  { "branch", { "port", "value", NULL } },
  { "log", { "message", "level", NULL } },
  { "wait", { "waited_ms", "resumed_at", NULL } },
  { "approval", { "approved", "comment", "decided_by", NULL } },
};

static const char * const functions[] = {
  "length", "lower", "upper", "trim", "contains", "starts_with", "ends_with", "split",
  "join", "replace", "index_of", "string", "number", "int", "boolean", "json", "to_json",
  "type", "round", "floor", "ceil", "abs", "min", "max", "sum", NULL
};

static gboolean
is_ident_char (char c)
{
  return g_ascii_isalnum (c) || c == '_' || c == '$';
}

/* TRUE when the expression text @expr ends inside a string literal. */
static gboolean
ends_in_string (const char *expr,
                gsize       length)
{
  char quote = 0;

  for (gsize i = 0; i < length; i++)
    {
      if (quote != 0)
        {
          if (expr[i] == '\\' && i + 1 < length)
            i++;
          else if (expr[i] == quote)
            quote = 0;
        }
      else if (expr[i] == '\'' || expr[i] == '"')
        quote = expr[i];
    }
  return quote != 0;
}

/* Finds where the expression around the cursor starts in @text (the whole text of an
 * expression field, the last unclosed {{ of a template). Returns FALSE when the cursor is
 * not in an expression. */
static gboolean
find_expression_start (DecaExpressionCompletion *self,
                       const char               *text,
                       gsize                     length,
                       gsize                    *start)
{
  const char *open = NULL;

  if (!self->template_mode)
    {
      *start = 0;
      return TRUE;
    }

  for (const char *p = text; p + 1 < text + length; p++)
    if (p[0] == '{' && p[1] == '{')
      {
        open = p;
        p++;
      }
  if (open == NULL)
    return FALSE;
  if (g_strstr_len (open + 2, text + length - (open + 2), "}}") != NULL)
    return FALSE;
  *start = open + 2 - text;
  return TRUE;
}

static void
add_unique (GListStore                 *store,
            GHashTable                 *seen,
            DecaExpressionProposalKind  kind,
            const char                 *text,
            const char                 *detail,
            const char                 *prefix)
{
  g_autoptr(DecaExpressionProposal) proposal = NULL;

  if (g_hash_table_contains (seen, text))
    return;
  /* Every candidate of every keystroke comes here: compare in place, without copies. */
  if (g_ascii_strncasecmp (text, prefix, strlen (prefix)) != 0)
    return;
  g_hash_table_add (seen, g_strdup (text));
  proposal = deca_expression_proposal_new (kind, text, detail);
  g_list_store_append (store, proposal);
}

/* Adds the member of each dotted @field that follows @path ("" for the first level):
 * with @path "customer." the field "customer.name" gives "name". */
static void
add_field_segment (GListStore *store,
                   GHashTable *seen,
                   const char *field,
                   const char *path,
                   const char *prefix,
                   const char *detail)
{
  g_autofree char *segment = NULL;
  const char *rest;
  const char *dot;

  if (!g_str_has_prefix (field, path))
    return;
  rest = field + strlen (path);
  dot = strchr (rest, '.');
  segment = dot ? g_strndup (rest, dot - rest) : g_strdup (rest);
  if (*segment != '\0')
    add_unique (store, seen, DECA_EXPRESSION_PROPOSAL_FIELD, segment, detail, prefix);
}

static void
add_object_keys (GListStore *store,
                 GHashTable *seen,
                 JsonObject *object,
                 gboolean    use_values,
                 const char *path,
                 const char *prefix)
{
  g_autoptr(GList) members = NULL;

  if (object == NULL)
    return;
  members = json_object_get_members (object);
  for (GList *l = members; l; l = l->next)
    {
      const char *field = l->data;

      if (use_values)
        {
          JsonNode *value = json_object_get_member (object, field);

          if (!JSON_NODE_HOLDS_VALUE (value) || json_node_get_value_type (value) != G_TYPE_STRING)
            continue;
          field = json_node_get_string (value);
        }
      add_field_segment (store, seen, field, path, prefix, _("set by the transform"));
    }
}

static void
add_node_fields (DecaExpressionCompletion *self,
                 GListStore               *store,
                 GHashTable               *seen,
                 DecaFlowNodeItem         *node,
                 const char               *path,
                 const char               *prefix)
{
  const char *type = deca_flow_node_item_get_node_type (node);

  if (g_strcmp0 (type, "transform") == 0)
    {
      g_autoptr(JsonObject) config = deca_flow_node_item_get_config (node);

      add_object_keys (store, seen, deca_json_object_get_object (config, "set"), FALSE, path, prefix);
      add_object_keys (store, seen, deca_json_object_get_object (config, "rename"), TRUE, path, prefix);
      return;
    }

  for (guint i = 0; i < G_N_ELEMENTS (output_fields); i++)
    if (g_strcmp0 (type, output_fields[i].type) == 0)
      for (guint j = 0; output_fields[i].fields[j]; j++)
        add_field_segment (store, seen, output_fields[i].fields[j], path, prefix, _("output"));
}

static void
add_roots (DecaExpressionCompletion *self,
           GListStore               *store,
           GHashTable               *seen,
           const char               *prefix)
{
  static const struct {
    const char *name;
    const char *detail;
  } roots[] = {
    { "input", N_("the execution's input") },
    { "execution", N_("the running execution") },
    { "credentials", N_("credentials.NAME.FIELD") },
    { "env", N_("environment values") },
    { "item", N_("the current element (loop body)") },
    { "index", N_("the current position (loop body)") },
    { "loop", N_("the loop's state (loop body)") },
  };

  if (self->document != NULL)
    {
      GListModel *nodes = deca_flow_document_get_nodes (self->document);
      DecaNodeRegistry *registry = deca_flow_document_get_registry (self->document);
      guint n = g_list_model_get_n_items (nodes);

      for (guint i = 0; i < n; i++)
        {
          g_autoptr(DecaFlowNodeItem) node = g_list_model_get_item (nodes, i);
          const char *id = deca_flow_node_item_get_id (node);
          DecaNodeType *type;

          if (g_strcmp0 (id, self->node_id) == 0)
            continue;
          type = deca_node_registry_lookup (registry, deca_flow_node_item_get_node_type (node));
          add_unique (store, seen, DECA_EXPRESSION_PROPOSAL_NODE, id,
                      type ? deca_node_type_get_title (type) : deca_flow_node_item_get_node_type (node),
                      prefix);
        }
    }

  for (guint i = 0; i < G_N_ELEMENTS (roots); i++)
    add_unique (store, seen, DECA_EXPRESSION_PROPOSAL_ROOT, roots[i].name, _(roots[i].detail), prefix);
  for (guint i = 0; functions[i]; i++)
    add_unique (store, seen, DECA_EXPRESSION_PROPOSAL_FUNCTION, functions[i], _("function"), prefix);
}

static void
add_members (DecaExpressionCompletion *self,
             GListStore               *store,
             GHashTable               *seen,
             const char               *root,
             const char               *path,
             const char               *prefix)
{
  static const char * const loop_fields[] = { "index", "count", "first", "last", "item", NULL };
  DecaFlowNodeItem *node;

  if (g_str_equal (root, "loop"))
    {
      for (guint i = 0; loop_fields[i]; i++)
        add_field_segment (store, seen, loop_fields[i], path, prefix, _("loop state"));
      return;
    }
  if (g_str_equal (root, "execution"))
    {
      add_field_segment (store, seen, "id", path, prefix, _("the execution's id"));
      return;
    }
  if (self->document == NULL)
    return;
  node = deca_flow_document_lookup_node (self->document, root);
  if (node != NULL)
    add_node_fields (self, store, seen, node, path, prefix);
}

/* Finds the word being typed at the end of @text (@length bytes): *@start is where its
 * expression starts, *@word where the word does. Returns FALSE, setting neither, when the
 * cursor is not in an expression, is in a string literal or after a number. */
static gboolean
find_word (DecaExpressionCompletion *self,
           const char               *text,
           gsize                     length,
           gsize                    *start,
           gsize                    *word)
{
  gsize expression, begin;

  if (!find_expression_start (self, text, length, &expression))
    return FALSE;
  if (ends_in_string (text + expression, length - expression))
    return FALSE;

  /* Identifier characters, with '-' joining parts of a node id. */
  begin = length;
  while (begin > expression && (is_ident_char (text[begin - 1]) ||
                                (text[begin - 1] == '-' && begin - 1 > expression &&
                                 is_ident_char (text[begin - 2]) && begin < length)))
    begin--;
  if (begin < length && g_ascii_isdigit (text[begin]))
    return FALSE;
  *start = expression;
  *word = begin;
  return TRUE;
}

GListModel *
deca_expression_completion_propose (DecaExpressionCompletion *self,
                                    const char               *text_before_cursor,
                                    gsize                    *word_start)
{
  g_autoptr(GHashTable) seen = NULL;
  GListStore *store;
  const char *text = text_before_cursor;
  gsize length, start, word, path_start;
  g_autofree char *prefix = NULL;

  g_return_val_if_fail (DECA_IS_EXPRESSION_COMPLETION (self), NULL);
  g_return_val_if_fail (text_before_cursor != NULL, NULL);

  length = strlen (text);
  if (!find_word (self, text, length, &start, &word))
    return NULL;
  prefix = g_strndup (text + word, length - word);

  store = g_list_store_new (DECA_TYPE_EXPRESSION_PROPOSAL);
  seen = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);

  if (word > start && text[word - 1] == '.')
    {
      g_autofree char *dotted = NULL;
      g_autofree char *root = NULL;
      const char *dot;

      /* The path before the dot: "fetch.body." gives root "fetch", path "body.". */
      path_start = word - 1;
      while (path_start > start && (is_ident_char (text[path_start - 1]) ||
                                    text[path_start - 1] == '.' || text[path_start - 1] == '-'))
        path_start--;
      dotted = g_strndup (text + path_start, word - path_start);
      dot = strchr (dotted, '.');
      root = g_strndup (dotted, dot - dotted);
      if (*root != '\0' && !g_ascii_isdigit (*root))
        add_members (self, store, seen, root, dot + 1, prefix);
    }
  else
    add_roots (self, store, seen, prefix);

  if (word_start != NULL)
    *word_start = word;
  return G_LIST_MODEL (store);
}

/* ---- GtkSourceCompletionProvider ----------------------------------------------------- */

static char *
text_before (GtkSourceCompletionContext *context,
             GtkTextIter                *cursor)
{
  GtkTextIter begin, end;
  GtkTextIter buffer_start;

  gtk_source_completion_context_get_bounds (context, &begin, &end);
  *cursor = end;
  gtk_text_buffer_get_start_iter (gtk_text_iter_get_buffer (&end), &buffer_start);
  return gtk_text_iter_get_slice (&buffer_start, &end);
}

static GListModel *
deca_expression_completion_populate (GtkSourceCompletionProvider  *provider,
                                     GtkSourceCompletionContext   *context,
                                     GError                      **error)
{
  DecaExpressionCompletion *self = DECA_EXPRESSION_COMPLETION (provider);
  GtkTextIter cursor;
  g_autofree char *text = text_before (context, &cursor);
  GListModel *model = deca_expression_completion_propose (self, text, NULL);

  if (model == NULL)
    model = G_LIST_MODEL (g_list_store_new (DECA_TYPE_EXPRESSION_PROPOSAL));
  return model;
}

static void
deca_expression_completion_refilter (GtkSourceCompletionProvider *provider,
                                     GtkSourceCompletionContext  *context,
                                     GListModel                  *model)
{
  g_autoptr(GListModel) fresh = deca_expression_completion_populate (provider, context, NULL);

  gtk_source_completion_context_set_proposals_for_provider (context, provider, fresh);
}

static gboolean
deca_expression_completion_is_trigger (GtkSourceCompletionProvider *provider,
                                       const GtkTextIter           *iter,
                                       gunichar                     ch)
{
  /* A member access, and the second brace of "{{". */
  return ch == '.' || ch == '{';
}

static void
deca_expression_completion_display (GtkSourceCompletionProvider *provider,
                                    GtkSourceCompletionContext  *context,
                                    GtkSourceCompletionProposal *proposal,
                                    GtkSourceCompletionCell     *cell)
{
  DecaExpressionProposal *item = DECA_EXPRESSION_PROPOSAL (proposal);

  switch (gtk_source_completion_cell_get_column (cell))
    {
    case GTK_SOURCE_COMPLETION_COLUMN_ICON:
      {
        const char *icon = NULL;

        switch (deca_expression_proposal_get_kind (item))
          {
          case DECA_EXPRESSION_PROPOSAL_NODE:
            icon = "network-workgroup-symbolic";
            break;
          case DECA_EXPRESSION_PROPOSAL_ROOT:
            icon = "folder-symbolic";
            break;
          case DECA_EXPRESSION_PROPOSAL_FIELD:
            icon = "text-x-generic-symbolic";
            break;
          case DECA_EXPRESSION_PROPOSAL_FUNCTION:
            icon = "system-run-symbolic";
            break;
          default:
            g_assert_not_reached ();
          }
        gtk_source_completion_cell_set_icon_name (cell, icon);
      }
      break;
    case GTK_SOURCE_COMPLETION_COLUMN_TYPED_TEXT:
      gtk_source_completion_cell_set_text (cell, deca_expression_proposal_get_text (item));
      break;
    case GTK_SOURCE_COMPLETION_COLUMN_AFTER:
      gtk_source_completion_cell_set_text (cell,
                                           deca_expression_proposal_get_kind (item) ==
                                           DECA_EXPRESSION_PROPOSAL_FUNCTION ? "()" : NULL);
      break;
    case GTK_SOURCE_COMPLETION_COLUMN_COMMENT:
      gtk_source_completion_cell_set_text (cell, deca_expression_proposal_get_detail (item));
      break;
    case GTK_SOURCE_COMPLETION_COLUMN_BEFORE:
    case GTK_SOURCE_COMPLETION_COLUMN_DETAILS:
    default:
      gtk_source_completion_cell_set_text (cell, NULL);
      break;
    }
}

static void
deca_expression_completion_activate (GtkSourceCompletionProvider *provider,
                                     GtkSourceCompletionContext  *context,
                                     GtkSourceCompletionProposal *proposal)
{
  DecaExpressionCompletion *self = DECA_EXPRESSION_COMPLETION (provider);
  DecaExpressionProposal *item = DECA_EXPRESSION_PROPOSAL (proposal);
  GtkTextBuffer *buffer;
  GtkTextIter cursor, begin;
  g_autofree char *text = text_before (context, &cursor);
  g_autoptr(GString) insert = g_string_new (deca_expression_proposal_get_text (item));
  gsize length = strlen (text);
  gsize start, word_start = length;

  /* Only where the word starts is needed, not the proposals again. */
  find_word (self, text, length, &start, &word_start);
  buffer = gtk_text_iter_get_buffer (&cursor);
  begin = cursor;
  gtk_text_iter_set_offset (&begin, (int) g_utf8_strlen (text, word_start));

  if (deca_expression_proposal_get_kind (item) == DECA_EXPRESSION_PROPOSAL_FUNCTION)
    g_string_append (insert, "(");

  gtk_text_buffer_begin_user_action (buffer);
  gtk_text_buffer_delete (buffer, &begin, &cursor);
  gtk_text_buffer_insert (buffer, &begin, insert->str, (int) insert->len);
  gtk_text_buffer_end_user_action (buffer);
}

static char *
deca_expression_completion_get_title (GtkSourceCompletionProvider *provider)
{
  return g_strdup (_("Flow"));
}

static void
provider_iface_init (GtkSourceCompletionProviderInterface *iface)
{
  iface->get_title = deca_expression_completion_get_title;
  iface->populate = deca_expression_completion_populate;
  iface->refilter = deca_expression_completion_refilter;
  iface->is_trigger = deca_expression_completion_is_trigger;
  iface->display = deca_expression_completion_display;
  iface->activate = deca_expression_completion_activate;
}

/* ---- GObject ---------------------------------------------------------------------------- */

static void
deca_expression_completion_dispose (GObject *object)
{
  DecaExpressionCompletion *self = DECA_EXPRESSION_COMPLETION (object);

  g_clear_object (&self->document);
  G_OBJECT_CLASS (deca_expression_completion_parent_class)->dispose (object);
}

static void
deca_expression_completion_finalize (GObject *object)
{
  DecaExpressionCompletion *self = DECA_EXPRESSION_COMPLETION (object);

  g_free (self->node_id);
  G_OBJECT_CLASS (deca_expression_completion_parent_class)->finalize (object);
}

static void
deca_expression_completion_class_init (DecaExpressionCompletionClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = deca_expression_completion_dispose;
  object_class->finalize = deca_expression_completion_finalize;
}

static void
deca_expression_completion_init (DecaExpressionCompletion *self)
{
}

DecaExpressionCompletion *
deca_expression_completion_new (gboolean template_mode)
{
  DecaExpressionCompletion *self = g_object_new (DECA_TYPE_EXPRESSION_COMPLETION, NULL);

  self->template_mode = !!template_mode;
  return self;
}

void
deca_expression_completion_set_document (DecaExpressionCompletion *self,
                                         DecaFlowDocument         *document)
{
  g_return_if_fail (DECA_IS_EXPRESSION_COMPLETION (self));
  g_return_if_fail (document == NULL || DECA_IS_FLOW_DOCUMENT (document));

  g_set_object (&self->document, document);
}

void
deca_expression_completion_set_node_id (DecaExpressionCompletion *self,
                                        const char               *node_id)
{
  g_return_if_fail (DECA_IS_EXPRESSION_COMPLETION (self));

  g_free (self->node_id);
  self->node_id = g_strdup (node_id);
}
