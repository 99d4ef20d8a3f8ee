/* deca-flow-document.c: the editable, undoable model of one flow.
 *
 * State: the top-level members of the document (in their order, with placeholders where
 * "nodes" and "connections" go) and two GListStores of items, each holding its own JSON
 * object. Installed objects are never changed in place; an edit builds new ones that share
 * unchanged members with the old ones. That makes every edit a list of small operations
 * (insert or remove an item at a position, install an object, set a top-level member)
 * whose inverse is exact, and lets the history keep old states by reference.
 */

#include "config.h"

#include <glib/gi18n-lib.h>

#include <math.h>
#include <string.h>

#include "deca-engine-error.h"
#include "deca-expr.h"
#include "deca-json.h"
#include "deca-flow-document-private.h"
#include "deca-validator.h"
#include "deca-node-base.h"

/* ---- operations and groups -------------------------------------------------------------- */

typedef enum {
  OP_INSERT_NODE,
  OP_REMOVE_NODE,
  OP_INSERT_CONNECTION,
  OP_REMOVE_CONNECTION,
  OP_SET_NODE,
  OP_SET_CONNECTION,
  OP_SET_MEMBER,
} OpKind;

typedef struct {
  OpKind kind;
  GObject *item;          /* the node or connection item; owned */
  guint position;         /* insert/remove */
  JsonObject *before;     /* set node/connection; owned */
  JsonObject *after;
  char *member;           /* set member */
  JsonNode *old_value;    /* NULL = absent */
  JsonNode *new_value;
} Op;

typedef struct {
  GPtrArray *ops;         /* Op */
  char *label;
  guint64 serial;

  /* While the group is open: where the latest edit's operations start, and when that edit
   * was a move, its items and total offset, so that the next move of the same items can
   * merge into it. */
  guint last_edit_start;
  GPtrArray *move_items;
  double move_dx;
  double move_dy;
} Group;

struct _DecaFlowDocument
{
  GObject parent_instance;

  DecaNodeRegistry *registry;

  /* Top-level members in document order; "nodes" and "connections" are placeholders. */
  JsonObject *root;
  GListStore *nodes;
  GListStore *connections;
  GHashTable *node_by_id;       /* owned id -> borrowed DecaFlowNodeItem */
  GHashTable *id_hints;         /* owned base id -> next suffix to try */
  double grid_size;

  GPtrArray *undo_stack;        /* Group, oldest first */
  GPtrArray *redo_stack;        /* Group, next redo last */
  Group *open_group;
  guint group_depth;
  guint64 next_serial;
  guint64 saved_serial;         /* serial of the top undo group when saved; 0 = empty */

  GPtrArray *problems;          /* DecaValidationProblem */
  gboolean problems_stale;

  /* Last notified values of the history properties, so notify fires on change only. */
  gboolean can_undo;
  gboolean can_redo;
  char *undo_label;
  char *redo_label;
  gboolean modified;
};

enum {
  PROP_0,
  PROP_REGISTRY,
  PROP_ID,
  PROP_NAME,
  PROP_SETTINGS,
  PROP_GRID_SIZE,
  PROP_CAN_UNDO,
  PROP_CAN_REDO,
  PROP_UNDO_LABEL,
  PROP_REDO_LABEL,
  PROP_MODIFIED,
  PROP_PROBLEMS,
  PROP_DESCRIPTION,
  PROP_TRIGGERS,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

G_DEFINE_FINAL_TYPE (DecaFlowDocument, deca_flow_document, G_TYPE_OBJECT)

static const char * const reserved_ids[] = {
  "input", "credentials", "execution", "env", "item", "index", "loop", "true", "false", "null",
};

/* ---- JSON helpers ----------------------------------------------------------------------- */

gboolean
_deca_validation_problems_equal (GPtrArray *a,
                                 GPtrArray *b)
{
  if (a->len != b->len)
    return FALSE;
  for (guint i = 0; i < a->len; i++)
    {
      DecaValidationProblem *x = a->pdata[i], *y = b->pdata[i];

      if (g_strcmp0 (x->pointer, y->pointer) != 0 || g_strcmp0 (x->message, y->message) != 0)
        return FALSE;
    }
  return TRUE;
}

/* A new object with the members of @object in order; containers are shared, which is
 * safe because installed objects are never changed in place. */
static JsonObject *
object_copy_shallow (JsonObject *object)
{
  JsonObject *copy = json_object_new ();
  JsonObjectIter iter;
  const char *name;
  JsonNode *member;

  json_object_iter_init_ordered (&iter, object);
  while (json_object_iter_next_ordered (&iter, &name, &member))
    json_object_set_member (copy, name, json_node_copy (member));
  return copy;
}

static JsonNode *
node_new_object (JsonObject *object)
{
  JsonNode *node = json_node_init (json_node_alloc (), JSON_NODE_OBJECT);

  json_node_take_object (node, object);
  return node;
}

/* Takes @array. */
static JsonNode *
node_new_array (JsonArray *array)
{
  JsonNode *node = json_node_init (json_node_alloc (), JSON_NODE_ARRAY);

  json_node_take_array (node, array);
  return node;
}

/* A copy of node object @object with member @name set to @value (taken), or removed
 * when @value is NULL. Members keep their order; a new member goes last. */
static JsonObject *
object_with_member (JsonObject *object,
                    const char *name,
                    JsonNode   *value)
{
  JsonObject *copy = object_copy_shallow (object);

  if (value != NULL)
    json_object_set_member (copy, name, value);
  else if (json_object_has_member (copy, name))
    json_object_remove_member (copy, name);
  return copy;
}

static JsonObject *
object_with_string (JsonObject *object,
                    const char *name,
                    const char *value)
{
  return object_with_member (object, name, value != NULL ? json_node_init_string (json_node_alloc (), value) : NULL);
}

/* A copy of node object @object placed at (@x, @y); other members of an existing
 * "position" object are kept. */
static JsonObject *
object_with_position (JsonObject *object,
                      double      x,
                      double      y)
{
  JsonObject *old = deca_json_object_get_object (object, "position");
  JsonObject *position = old != NULL ? object_copy_shallow (old) : json_object_new ();

  json_object_set_double_member (position, "x", x);
  json_object_set_double_member (position, "y", y);
  return object_with_member (object, "position", node_new_object (position));
}

/* ---- node ids --------------------------------------------------------------------------- */

static gboolean
is_id_char (char c)
{
  return g_ascii_isalnum (c) || c == '_';
}

gboolean
deca_flow_node_id_is_valid (const char *id)
{
  if (id == NULL || !(g_ascii_isalpha (id[0]) || id[0] == '_'))
    return FALSE;
  for (const char *p = id; *p != '\0'; p++)
    {
      if (*p == '-')
        {
          if (!is_id_char (p[1]))
            return FALSE;
        }
      else if (!is_id_char (*p))
        return FALSE;
    }
  for (guint i = 0; i < G_N_ELEMENTS (reserved_ids); i++)
    if (g_str_equal (id, reserved_ids[i]))
      return FALSE;
  return TRUE;
}

/* Checks @id as the validator does; the messages are the validator's. */
static gboolean
check_node_id (const char  *id,
               GError     **error)
{
  if (deca_flow_node_id_is_valid (id))
    return TRUE;
  for (guint i = 0; i < G_N_ELEMENTS (reserved_ids); i++)
    if (g_str_equal (id, reserved_ids[i]))
      {
        g_set_error (error, DECA_ENGINE_ERROR, DECA_ENGINE_ERROR_INVALID,
                     _("'%s' is reserved: a node with this id would shadow '%s' in expressions"),
                     id, id);
        return FALSE;
      }
  g_set_error (error, DECA_ENGINE_ERROR, DECA_ENGINE_ERROR_INVALID,
               _("'%s' is not a valid node id: it must start with a letter or '_' and use only "
               "letters, digits, '_' and single '-' between them"), id);
  return FALSE;
}

/* Makes a valid id base from @name (a type name or an old id): invalid characters become
 * '_', a trailing "-N" is dropped so that "http-2" leads to "http-3", not "http-2-2". */
static char *
id_base (const char *name)
{
  GString *base = g_string_new (NULL);
  const char *dash;

  for (const char *p = name; *p != '\0'; p++)
    {
      if (*p == '-')
        {
          if (base->len > 0 && base->str[base->len - 1] != '-')
            g_string_append_c (base, '-');
        }
      else
        g_string_append_c (base, is_id_char (*p) ? *p : '_');
    }
  while (base->len > 0 && base->str[base->len - 1] == '-')
    g_string_truncate (base, base->len - 1);
  dash = strrchr (base->str, '-');
  if (dash != NULL && dash[1] != '\0' && strspn (dash + 1, "0123456789") == strlen (dash + 1))
    g_string_truncate (base, dash - base->str);
  if (base->len == 0)
    g_string_assign (base, "node");
  else if (g_ascii_isdigit (base->str[0]))
    g_string_prepend_c (base, '_');
  return g_string_free (base, FALSE);
}

static gboolean
id_taken (DecaFlowDocument *self,
          const char       *id,
          GHashTable       *also_taken)
{
  return g_hash_table_contains (self->node_by_id, id) ||
         (also_taken != NULL && g_hash_table_contains (also_taken, id));
}

/* Returns (transfer full) a free id from @name: the base itself when free and valid, else
 * base-2, base-3, ... A hint per base keeps adding many nodes of one type linear. */
static char *
fresh_id (DecaFlowDocument *self,
          const char       *name,
          GHashTable       *also_taken)
{
  g_autofree char *base = id_base (name);
  guint n;

  if (deca_flow_node_id_is_valid (base) && !id_taken (self, base, also_taken))
    return g_steal_pointer (&base);
  n = MAX (GPOINTER_TO_UINT (g_hash_table_lookup (self->id_hints, base)), 2);
  for (;; n++)
    {
      g_autofree char *id = g_strdup_printf ("%s-%u", base, n);

      if (!id_taken (self, id, also_taken))
        {
          g_hash_table_insert (self->id_hints, g_strdup (base), GUINT_TO_POINTER (n + 1));
          return g_steal_pointer (&id);
        }
    }
}

/* ---- items and operations --------------------------------------------------------------- */

static DecaNodeType *
lookup_type_of (DecaFlowDocument *self,
                const char       *node_id)
{
  DecaFlowNodeItem *node = node_id != NULL ? g_hash_table_lookup (self->node_by_id, node_id) : NULL;
  const char *type = node != NULL ? deca_flow_node_item_get_node_type (node) : NULL;

  return type != NULL ? deca_node_registry_lookup (self->registry, type) : NULL;
}

/* The default port of the source of connection object @object. */
static const char *
default_port_for (DecaFlowDocument *self,
                  JsonObject       *object)
{
  DecaNodeType *type = lookup_type_of (self, deca_json_object_get_string (object, "from"));

  return type != NULL ? deca_node_type_get_default_port (type) : NULL;
}

static void
index_node (DecaFlowDocument *self,
            DecaFlowNodeItem *item)
{
  const char *id = deca_flow_node_item_get_id (item);

  if (id != NULL)
    g_hash_table_insert (self->node_by_id, g_strdup (id), item);
}

static void
unindex_node (DecaFlowDocument *self,
              DecaFlowNodeItem *item)
{
  const char *id = deca_flow_node_item_get_id (item);

  if (id != NULL && g_hash_table_lookup (self->node_by_id, id) == item)
    g_hash_table_remove (self->node_by_id, id);
}

static void
insert_node (DecaFlowDocument *self,
             DecaFlowNodeItem *item,
             guint             position)
{
  index_node (self, item);
  _deca_flow_node_item_set_document (item, self);
  g_list_store_insert (self->nodes, position, item);
}

static void
remove_node (DecaFlowDocument *self,
             DecaFlowNodeItem *item,
             guint             position)
{
  g_autoptr(DecaFlowNodeItem) at = g_list_model_get_item (G_LIST_MODEL (self->nodes), position);

  g_assert (at == item);
  unindex_node (self, item);
  _deca_flow_node_item_set_document (item, NULL);
  g_list_store_remove (self->nodes, position);
}

static void
insert_connection (DecaFlowDocument       *self,
                   DecaFlowConnectionItem *item,
                   guint                   position)
{
  _deca_flow_connection_item_set_document (item, self);
  g_list_store_insert (self->connections, position, item);
}

static void
remove_connection (DecaFlowDocument       *self,
                   DecaFlowConnectionItem *item,
                   guint                   position)
{
  g_autoptr(DecaFlowConnectionItem) at = g_list_model_get_item (G_LIST_MODEL (self->connections), position);

  g_assert (at == item);
  _deca_flow_connection_item_set_document (item, NULL);
  g_list_store_remove (self->connections, position);
}

static void
install_node_object (DecaFlowDocument *self,
                     DecaFlowNodeItem *item,
                     JsonObject       *object)
{
  unindex_node (self, item);
  _deca_flow_node_item_set_object (item, object);
  index_node (self, item);
}

static void
set_root_member (DecaFlowDocument *self,
                 const char       *member,
                 JsonNode         *value)
{
  if (value != NULL)
    json_object_set_member (self->root, member, json_node_copy (value));
  else if (json_object_has_member (self->root, member))
    json_object_remove_member (self->root, member);

  if (g_str_equal (member, "id"))
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_ID]);
  else if (g_str_equal (member, "name"))
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_NAME]);
  else if (g_str_equal (member, "settings"))
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SETTINGS]);
  else if (g_str_equal (member, "description"))
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_DESCRIPTION]);
  else if (g_str_equal (member, "triggers"))
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_TRIGGERS]);
}

static void
op_free (Op *op)
{
  g_clear_object (&op->item);
  g_clear_pointer (&op->before, json_object_unref);
  g_clear_pointer (&op->after, json_object_unref);
  g_clear_pointer (&op->member, g_free);
  g_clear_pointer (&op->old_value, json_node_unref);
  g_clear_pointer (&op->new_value, json_node_unref);
  g_free (op);
}

/* Applies @op (@forward) or its inverse. */
static void
op_apply (DecaFlowDocument *self,
          Op               *op,
          gboolean          forward)
{
  switch (op->kind)
    {
    case OP_INSERT_NODE:
    case OP_REMOVE_NODE:
      if ((op->kind == OP_INSERT_NODE) == forward)
        insert_node (self, DECA_FLOW_NODE_ITEM (op->item), op->position);
      else
        remove_node (self, DECA_FLOW_NODE_ITEM (op->item), op->position);
      break;
    case OP_INSERT_CONNECTION:
    case OP_REMOVE_CONNECTION:
      if ((op->kind == OP_INSERT_CONNECTION) == forward)
        insert_connection (self, DECA_FLOW_CONNECTION_ITEM (op->item), op->position);
      else
        remove_connection (self, DECA_FLOW_CONNECTION_ITEM (op->item), op->position);
      break;
    case OP_SET_NODE:
      install_node_object (self, DECA_FLOW_NODE_ITEM (op->item), forward ? op->after : op->before);
      break;
    case OP_SET_CONNECTION:
      {
        JsonObject *object = forward ? op->after : op->before;

        _deca_flow_connection_item_set_object (DECA_FLOW_CONNECTION_ITEM (op->item), object,
                                               default_port_for (self, object));
      }
      break;
    case OP_SET_MEMBER:
      set_root_member (self, op->member, forward ? op->new_value : op->old_value);
      break;
    default:
      g_assert_not_reached ();
    }
}

static void
group_free (Group *group)
{
  g_ptr_array_unref (group->ops);
  g_clear_pointer (&group->move_items, g_ptr_array_unref);
  g_free (group->label);
  g_free (group);
}

/* ---- history state ---------------------------------------------------------------------- */

static Group *
top_group (GPtrArray *stack)
{
  return stack->len > 0 ? stack->pdata[stack->len - 1] : NULL;
}

static gboolean
compute_modified (DecaFlowDocument *self)
{
  Group *top = top_group (self->undo_stack);

  if (self->open_group != NULL && self->open_group->ops->len > 0)
    return TRUE;
  return (top != NULL ? top->serial : 0) != self->saved_serial;
}

/* Notifies the history properties whose values changed since the last call. */
static void
update_history (DecaFlowDocument *self)
{
  Group *undo = top_group (self->undo_stack);
  Group *redo = top_group (self->redo_stack);
  gboolean can_undo = undo != NULL;
  gboolean can_redo = redo != NULL;
  const char *undo_label = undo != NULL ? undo->label : NULL;
  const char *redo_label = redo != NULL ? redo->label : NULL;
  gboolean modified = compute_modified (self);

  g_object_freeze_notify (G_OBJECT (self));
  if (can_undo != self->can_undo)
    {
      self->can_undo = can_undo;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_CAN_UNDO]);
    }
  if (can_redo != self->can_redo)
    {
      self->can_redo = can_redo;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_CAN_REDO]);
    }
  if (g_strcmp0 (undo_label, self->undo_label) != 0)
    {
      g_free (self->undo_label);
      self->undo_label = g_strdup (undo_label);
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_UNDO_LABEL]);
    }
  if (g_strcmp0 (redo_label, self->redo_label) != 0)
    {
      g_free (self->redo_label);
      self->redo_label = g_strdup (redo_label);
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_REDO_LABEL]);
    }
  if (modified != self->modified)
    {
      self->modified = modified;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_MODIFIED]);
    }
  g_object_thaw_notify (G_OBJECT (self));
}

static void
problems_changed (DecaFlowDocument *self)
{
  self->problems_stale = TRUE;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_PROBLEMS]);
}

/* ---- building the document -------------------------------------------------------------- */

/* Returns (transfer full) the document. With @deep the result shares nothing with the
 * model; without, it shares the installed objects and is for reading only (validation,
 * the clipboard's own copy). */
static JsonNode *
build_document (DecaFlowDocument *self,
                gboolean          deep)
{
  JsonObject *root = json_object_new ();
  JsonObjectIter iter;
  const char *name;
  JsonNode *member;
  gboolean wrote_connections = FALSE;
  guint n_connections = g_list_model_get_n_items (G_LIST_MODEL (self->connections));

  json_object_iter_init_ordered (&iter, self->root);
  while (json_object_iter_next_ordered (&iter, &name, &member))
    {
      GListModel *list = NULL;

      if (g_str_equal (name, "nodes"))
        list = G_LIST_MODEL (self->nodes);
      else if (g_str_equal (name, "connections"))
        {
          wrote_connections = TRUE;
          /* A document that said "connections": null keeps saying so while it has none. */
          if (n_connections > 0 || !JSON_NODE_HOLDS_NULL (member))
            list = G_LIST_MODEL (self->connections);
        }

      if (list != NULL)
        {
          guint n = g_list_model_get_n_items (list);
          JsonArray *array = json_array_sized_new (n);
          JsonNode *array_node = json_node_alloc ();

          for (guint i = 0; i < n; i++)
            {
              g_autoptr(GObject) item = g_list_model_get_item (list, i);
              JsonObject *object = DECA_IS_FLOW_NODE_ITEM (item)
                                   ? _deca_flow_node_item_peek_object (DECA_FLOW_NODE_ITEM (item))
                                   : _deca_flow_connection_item_peek_object (DECA_FLOW_CONNECTION_ITEM (item));

              if (deep)
                json_array_add_object_element (array, deca_json_object_deep_copy (object));
              else
                json_array_add_object_element (array, json_object_ref (object));
            }
          json_node_take_array (json_node_init (array_node, JSON_NODE_ARRAY), array);
          json_object_set_member (root, name, array_node);
        }
      else
        json_object_set_member (root, name, deep ? deca_json_deep_copy (member) : json_node_copy (member));
    }

  if (!wrote_connections && n_connections > 0)
    {
      JsonArray *array = json_array_sized_new (n_connections);

      for (guint i = 0; i < n_connections; i++)
        {
          g_autoptr(DecaFlowConnectionItem) item = g_list_model_get_item (G_LIST_MODEL (self->connections), i);
          JsonObject *object = _deca_flow_connection_item_peek_object (item);

          json_array_add_object_element (array, deep ? deca_json_object_deep_copy (object) : json_object_ref (object));
        }
      json_object_set_array_member (root, "connections", array);
    }

  return node_new_object (root);
}

/* Reads "/nodes/N..." or "/connections/N..." into the index N; -1 when it is neither. */
static int
pointer_index (const char *pointer,
               const char *prefix)
{
  gsize len = strlen (prefix);
  guint64 index;
  char *end;

  if (strncmp (pointer, prefix, len) != 0 || !g_ascii_isdigit (pointer[len]))
    return -1;
  index = g_ascii_strtoull (pointer + len, &end, 10);
  if ((*end != '\0' && *end != '/') || index > G_MAXINT)
    return -1;
  return (int) index;
}

void
_deca_flow_document_ensure_problems (DecaFlowDocument *self)
{
  g_autoptr(JsonNode) root = NULL;
  g_autoptr(GPtrArray) old = NULL;
  guint n_nodes, n_connections;
  GPtrArray **node_problems, **connection_problems;

  g_return_if_fail (DECA_IS_FLOW_DOCUMENT (self));

  if (!self->problems_stale)
    return;
  self->problems_stale = FALSE;

  root = build_document (self, FALSE);
  old = g_steal_pointer (&self->problems);
  self->problems = deca_validate_flow_json (root, self->registry);

  /* Hand each item the problems inside it. The old problems stay alive until every item
   * has compared its new set with its old one. */
  n_nodes = g_list_model_get_n_items (G_LIST_MODEL (self->nodes));
  n_connections = g_list_model_get_n_items (G_LIST_MODEL (self->connections));
  node_problems = g_new0 (GPtrArray *, n_nodes + 1);
  connection_problems = g_new0 (GPtrArray *, n_connections + 1);
  for (guint i = 0; i < self->problems->len; i++)
    {
      DecaValidationProblem *problem = self->problems->pdata[i];
      int n;

      if ((n = pointer_index (problem->pointer, "/nodes/")) >= 0 && (guint) n < n_nodes)
        {
          if (node_problems[n] == NULL)
            node_problems[n] = g_ptr_array_new ();
          g_ptr_array_add (node_problems[n], problem);
        }
      else if ((n = pointer_index (problem->pointer, "/connections/")) >= 0 && (guint) n < n_connections)
        {
          if (connection_problems[n] == NULL)
            connection_problems[n] = g_ptr_array_new ();
          g_ptr_array_add (connection_problems[n], problem);
        }
    }
  for (guint i = 0; i < n_nodes; i++)
    {
      g_autoptr(DecaFlowNodeItem) item = g_list_model_get_item (G_LIST_MODEL (self->nodes), i);

      _deca_flow_node_item_set_problems (item, node_problems[i] != NULL ? node_problems[i] : g_ptr_array_new ());
    }
  for (guint i = 0; i < n_connections; i++)
    {
      g_autoptr(DecaFlowConnectionItem) item = g_list_model_get_item (G_LIST_MODEL (self->connections), i);

      _deca_flow_connection_item_set_problems (item, connection_problems[i] != NULL ? connection_problems[i] : g_ptr_array_new ());
    }
  g_free (node_problems);
  g_free (connection_problems);
}

/* ---- GObject ---------------------------------------------------------------------------- */

static void
deca_flow_document_dispose (GObject *object)
{
  DecaFlowDocument *self = DECA_FLOW_DOCUMENT (object);

  /* Items may outlive the document (a view holds them); they must not point back. */
  if (self->nodes != NULL)
    for (guint i = 0; i < g_list_model_get_n_items (G_LIST_MODEL (self->nodes)); i++)
      {
        g_autoptr(DecaFlowNodeItem) item = g_list_model_get_item (G_LIST_MODEL (self->nodes), i);

        _deca_flow_node_item_set_document (item, NULL);
      }
  if (self->connections != NULL)
    for (guint i = 0; i < g_list_model_get_n_items (G_LIST_MODEL (self->connections)); i++)
      {
        g_autoptr(DecaFlowConnectionItem) item = g_list_model_get_item (G_LIST_MODEL (self->connections), i);

        _deca_flow_connection_item_set_document (item, NULL);
      }

  g_clear_pointer (&self->undo_stack, g_ptr_array_unref);
  g_clear_pointer (&self->redo_stack, g_ptr_array_unref);
  g_clear_pointer (&self->open_group, group_free);
  g_clear_object (&self->nodes);
  g_clear_object (&self->connections);
  g_clear_object (&self->registry);

  G_OBJECT_CLASS (deca_flow_document_parent_class)->dispose (object);
}

static void
deca_flow_document_finalize (GObject *object)
{
  DecaFlowDocument *self = DECA_FLOW_DOCUMENT (object);

  g_clear_pointer (&self->root, json_object_unref);
  g_clear_pointer (&self->node_by_id, g_hash_table_unref);
  g_clear_pointer (&self->id_hints, g_hash_table_unref);
  g_clear_pointer (&self->problems, g_ptr_array_unref);
  g_clear_pointer (&self->undo_label, g_free);
  g_clear_pointer (&self->redo_label, g_free);

  G_OBJECT_CLASS (deca_flow_document_parent_class)->finalize (object);
}

static void
deca_flow_document_get_property (GObject    *object,
                                 guint       prop_id,
                                 GValue     *value,
                                 GParamSpec *pspec)
{
  DecaFlowDocument *self = DECA_FLOW_DOCUMENT (object);

  switch (prop_id)
    {
    case PROP_REGISTRY:
      g_value_set_object (value, self->registry);
      break;
    case PROP_ID:
      g_value_set_string (value, deca_flow_document_get_id (self));
      break;
    case PROP_NAME:
      g_value_set_string (value, deca_flow_document_get_name (self));
      break;
    case PROP_SETTINGS:
      g_value_take_boxed (value, deca_flow_document_get_settings (self));
      break;
    case PROP_GRID_SIZE:
      g_value_set_double (value, self->grid_size);
      break;
    case PROP_CAN_UNDO:
      g_value_set_boolean (value, deca_flow_document_can_undo (self));
      break;
    case PROP_CAN_REDO:
      g_value_set_boolean (value, deca_flow_document_can_redo (self));
      break;
    case PROP_UNDO_LABEL:
      g_value_set_string (value, deca_flow_document_get_undo_label (self));
      break;
    case PROP_REDO_LABEL:
      g_value_set_string (value, deca_flow_document_get_redo_label (self));
      break;
    case PROP_MODIFIED:
      g_value_set_boolean (value, deca_flow_document_get_modified (self));
      break;
    case PROP_PROBLEMS:
      g_value_set_boxed (value, deca_flow_document_get_problems (self));
      break;
    case PROP_DESCRIPTION:
      g_value_set_string (value, deca_flow_document_get_description (self));
      break;
    case PROP_TRIGGERS:
      g_value_take_boxed (value, deca_flow_document_get_triggers (self));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
deca_flow_document_set_property (GObject      *object,
                                 guint         prop_id,
                                 const GValue *value,
                                 GParamSpec   *pspec)
{
  DecaFlowDocument *self = DECA_FLOW_DOCUMENT (object);

  switch (prop_id)
    {
    case PROP_REGISTRY:
      self->registry = g_value_dup_object (value);
      break;
    case PROP_NAME:
      deca_flow_document_set_name (self, g_value_get_string (value));
      break;
    case PROP_DESCRIPTION:
      deca_flow_document_set_description (self, g_value_get_string (value));
      break;
    case PROP_GRID_SIZE:
      deca_flow_document_set_grid_size (self, g_value_get_double (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
deca_flow_document_class_init (DecaFlowDocumentClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  const GParamFlags ro = G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY;

  object_class->dispose = deca_flow_document_dispose;
  object_class->finalize = deca_flow_document_finalize;
  object_class->get_property = deca_flow_document_get_property;
  object_class->set_property = deca_flow_document_set_property;

  properties[PROP_REGISTRY] =
    g_param_spec_object ("registry", NULL, NULL, DECA_TYPE_NODE_REGISTRY,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  properties[PROP_ID] = g_param_spec_string ("id", NULL, NULL, NULL, ro);
  /* Writing "name" is an undoable edit, like deca_flow_document_set_name(). */
  properties[PROP_NAME] =
    g_param_spec_string ("name", NULL, NULL, NULL,
                         G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  properties[PROP_SETTINGS] = g_param_spec_boxed ("settings", NULL, NULL, JSON_TYPE_OBJECT, ro);
  properties[PROP_GRID_SIZE] =
    g_param_spec_double ("grid-size", NULL, NULL, 0, G_MAXDOUBLE, 0,
                         G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  properties[PROP_CAN_UNDO] = g_param_spec_boolean ("can-undo", NULL, NULL, FALSE, ro);
  properties[PROP_CAN_REDO] = g_param_spec_boolean ("can-redo", NULL, NULL, FALSE, ro);
  properties[PROP_UNDO_LABEL] = g_param_spec_string ("undo-label", NULL, NULL, NULL, ro);
  properties[PROP_REDO_LABEL] = g_param_spec_string ("redo-label", NULL, NULL, NULL, ro);
  properties[PROP_MODIFIED] = g_param_spec_boolean ("modified", NULL, NULL, FALSE, ro);
  properties[PROP_PROBLEMS] = g_param_spec_boxed ("problems", NULL, NULL, G_TYPE_PTR_ARRAY, ro);
  /* Writing "description" is an undoable edit, like deca_flow_document_set_description(). */
  properties[PROP_DESCRIPTION] =
    g_param_spec_string ("description", NULL, NULL, NULL,
                         G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  /* A copy of "triggers", like "settings"; change it with deca_flow_document_set_triggers(). */
  properties[PROP_TRIGGERS] = g_param_spec_boxed ("triggers", NULL, NULL, JSON_TYPE_ARRAY, ro);

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
deca_flow_document_init (DecaFlowDocument *self)
{
  self->root = json_object_new ();
  self->nodes = g_list_store_new (DECA_TYPE_FLOW_NODE_ITEM);
  self->connections = g_list_store_new (DECA_TYPE_FLOW_CONNECTION_ITEM);
  self->node_by_id = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  self->id_hints = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  self->undo_stack = g_ptr_array_new_with_free_func ((GDestroyNotify) group_free);
  self->redo_stack = g_ptr_array_new_with_free_func ((GDestroyNotify) group_free);
  self->next_serial = 1;
  self->problems = g_ptr_array_new_with_free_func ((GDestroyNotify) deca_validation_problem_free);
  self->problems_stale = TRUE;
}

/* ---- construction ----------------------------------------------------------------------- */

static gboolean
load_error (GError     **error,
            const char  *pointer,
            const char  *message)
{
  g_set_error (error, DECA_ENGINE_ERROR, DECA_ENGINE_ERROR_PARSE, "%s: %s", pointer, message);
  return FALSE;
}

/* Fills an empty document from @root (taken over: the caller must not use it again). */
static gboolean
load_document (DecaFlowDocument  *self,
               JsonNode          *root,
               GError           **error)
{
  JsonObject *object;
  JsonNode *nodes, *connections;
  JsonObjectIter iter;
  const char *name;
  JsonNode *member;

  if (!JSON_NODE_HOLDS_OBJECT (root))
    {
      const char *type = deca_json_type_name (root);

      /* Translators: %s is a JSON type name: array, string, number, boolean or null */
      if (strchr ("aeiou", type[0]) != NULL)
        g_set_error (error, DECA_ENGINE_ERROR, DECA_ENGINE_ERROR_PARSE,
                     _("a flow must be a JSON object, not an %s"), type);
      else
        g_set_error (error, DECA_ENGINE_ERROR, DECA_ENGINE_ERROR_PARSE,
                     _("a flow must be a JSON object, not a %s"), type);
      return FALSE;
    }
  object = json_node_get_object (root);
  nodes = json_object_get_member (object, "nodes");
  if (nodes == NULL || !JSON_NODE_HOLDS_ARRAY (nodes))
    return load_error (error, "/nodes", _("a flow needs a \"nodes\" array"));
  connections = json_object_get_member (object, "connections");
  if (connections != NULL && !JSON_NODE_HOLDS_ARRAY (connections) && !JSON_NODE_HOLDS_NULL (connections))
    return load_error (error, "/connections", _("\"connections\" must be an array"));

  for (guint i = 0; i < json_array_get_length (json_node_get_array (nodes)); i++)
    {
      JsonNode *element = json_array_get_element (json_node_get_array (nodes), i);
      g_autofree char *pointer = g_strdup_printf ("/nodes/%u", i);
      g_autoptr(DecaFlowNodeItem) item = NULL;
      JsonObject *node;
      const char *id;

      if (!JSON_NODE_HOLDS_OBJECT (element))
        return load_error (error, pointer, _("a node must be an object"));
      node = json_node_get_object (element);
      id = deca_json_object_get_string (node, "id");
      if (id == NULL || *id == '\0')
        return load_error (error, pointer, _("a node needs a string \"id\""));
      if (deca_json_object_get_string (node, "type") == NULL)
        return load_error (error, pointer, _("a node needs a string \"type\""));
      if (g_hash_table_contains (self->node_by_id, id))
        {
          g_set_error (error, DECA_ENGINE_ERROR, DECA_ENGINE_ERROR_PARSE,
                       _("%s: duplicate node id '%s'"), pointer, id);
          return FALSE;
        }
      item = _deca_flow_node_item_new (node);
      insert_node (self, item, i);
    }

  for (guint i = 0; connections != NULL && JSON_NODE_HOLDS_ARRAY (connections) &&
                    i < json_array_get_length (json_node_get_array (connections)); i++)
    {
      JsonNode *element = json_array_get_element (json_node_get_array (connections), i);
      g_autofree char *pointer = g_strdup_printf ("/connections/%u", i);
      g_autoptr(DecaFlowConnectionItem) item = NULL;
      JsonObject *connection;
      const char *from, *to;

      if (!JSON_NODE_HOLDS_OBJECT (element))
        return load_error (error, pointer, _("a connection must be an object"));
      connection = json_node_get_object (element);
      from = deca_json_object_get_string (connection, "from");
      to = deca_json_object_get_string (connection, "to");
      if (from == NULL || !g_hash_table_contains (self->node_by_id, from))
        return load_error (error, pointer, _("\"from\" must name a node of the flow"));
      if (to == NULL || !g_hash_table_contains (self->node_by_id, to))
        return load_error (error, pointer, _("\"to\" must name a node of the flow"));
      item = _deca_flow_connection_item_new (connection, default_port_for (self, connection));
      insert_connection (self, item, i);
    }

  /* Keep the top level in its order, with placeholders for the lists. */
  json_object_iter_init_ordered (&iter, object);
  while (json_object_iter_next_ordered (&iter, &name, &member))
    {
      if (g_str_equal (name, "nodes") || g_str_equal (name, "connections"))
        json_object_set_member (self->root, name,
                                JSON_NODE_HOLDS_NULL (member) ? json_node_new (JSON_NODE_NULL)
                                : node_new_array (json_array_new ()));
      else
        json_object_set_member (self->root, name, json_node_ref (member));
    }
  return TRUE;
}

DecaFlowDocument *
deca_flow_document_new (DecaNodeRegistry *registry)
{
  DecaFlowDocument *self;
  g_autofree char *uuid = g_uuid_string_random ();

  g_return_val_if_fail (DECA_IS_NODE_REGISTRY (registry), NULL);

  self = g_object_new (DECA_TYPE_FLOW_DOCUMENT, "registry", registry, NULL);
  json_object_set_string_member (self->root, "id", uuid);
  json_object_set_string_member (self->root, "name", "Untitled flow");
  json_object_set_int_member (self->root, "version", 1);
  json_object_set_array_member (self->root, "nodes", json_array_new ());
  json_object_set_array_member (self->root, "connections", json_array_new ());
  return self;
}

DecaFlowDocument *
deca_flow_document_new_from_data (DecaNodeRegistry  *registry,
                                  const char        *data,
                                  gssize             length,
                                  GError           **error)
{
  g_autoptr(DecaFlowDocument) self = NULL;
  g_autoptr(JsonNode) root = NULL;

  g_return_val_if_fail (DECA_IS_NODE_REGISTRY (registry), NULL);
  g_return_val_if_fail (data != NULL, NULL);

  root = deca_json_parse (data, length, error);
  if (root == NULL)
    return NULL;
  self = g_object_new (DECA_TYPE_FLOW_DOCUMENT, "registry", registry, NULL);
  if (!load_document (self, root, error))
    return NULL;
  return g_steal_pointer (&self);
}

DecaFlowDocument *
deca_flow_document_new_from_flow (DecaNodeRegistry  *registry,
                                  DecaFlow          *flow,
                                  GError           **error)
{
  g_autoptr(DecaFlowDocument) self = NULL;
  g_autoptr(JsonNode) root = NULL;

  g_return_val_if_fail (DECA_IS_NODE_REGISTRY (registry), NULL);
  g_return_val_if_fail (DECA_IS_FLOW (flow), NULL);

  root = deca_json_deep_copy (deca_flow_get_document (flow));
  self = g_object_new (DECA_TYPE_FLOW_DOCUMENT, "registry", registry, NULL);
  if (!load_document (self, root, error))
    return NULL;
  return g_steal_pointer (&self);
}

JsonNode *
deca_flow_document_to_json (DecaFlowDocument *self)
{
  g_return_val_if_fail (DECA_IS_FLOW_DOCUMENT (self), NULL);

  return build_document (self, TRUE);
}

char *
deca_flow_document_to_data (DecaFlowDocument *self,
                            gsize            *length)
{
  g_autoptr(JsonNode) root = NULL;
  char *text;

  g_return_val_if_fail (DECA_IS_FLOW_DOCUMENT (self), NULL);

  root = build_document (self, FALSE);
  text = deca_json_to_string (root, TRUE);
  if (length != NULL)
    *length = strlen (text);
  return text;
}

/* Returns (transfer full) the document as indented text, as a new flow: a fresh random
 * id (as deca_flow_document_new() makes) and @new_name; every other member as it is.
 * The document itself does not change. */
char *
deca_flow_document_dup_as_new (DecaFlowDocument *self,
                               const char       *new_name)
{
  g_autoptr(JsonNode) root = NULL;
  g_autofree char *uuid = NULL;
  JsonObject *object;

  g_return_val_if_fail (DECA_IS_FLOW_DOCUMENT (self), NULL);
  g_return_val_if_fail (new_name != NULL, NULL);

  /* Deep: the copy is changed, and must not reach the items' shared objects. */
  root = build_document (self, TRUE);
  object = json_node_get_object (root);
  uuid = g_uuid_string_random ();
  /* Setting an existing member keeps its place, so the text differs from to_data() only
   * in the two values. */
  json_object_set_string_member (object, "id", uuid);
  json_object_set_string_member (object, "name", new_name);
  return deca_json_to_string (root, TRUE);
}

DecaFlow *
deca_flow_document_to_flow (DecaFlowDocument  *self,
                            GError           **error)
{
  g_autoptr(JsonNode) root = NULL;

  g_return_val_if_fail (DECA_IS_FLOW_DOCUMENT (self), NULL);

  root = build_document (self, TRUE);
  return deca_flow_new_from_json (root, error);
}

/* ---- getters ---------------------------------------------------------------------------- */

DecaNodeRegistry *
deca_flow_document_get_registry (DecaFlowDocument *self)
{
  g_return_val_if_fail (DECA_IS_FLOW_DOCUMENT (self), NULL);

  return self->registry;
}

const char *
deca_flow_document_get_id (DecaFlowDocument *self)
{
  g_return_val_if_fail (DECA_IS_FLOW_DOCUMENT (self), NULL);

  return deca_json_object_get_string (self->root, "id");
}

const char *
deca_flow_document_get_name (DecaFlowDocument *self)
{
  g_return_val_if_fail (DECA_IS_FLOW_DOCUMENT (self), NULL);

  return deca_json_object_get_string (self->root, "name");
}

JsonObject *
deca_flow_document_get_settings (DecaFlowDocument *self)
{
  JsonObject *settings;

  g_return_val_if_fail (DECA_IS_FLOW_DOCUMENT (self), NULL);

  settings = deca_json_object_get_object (self->root, "settings");
  return settings != NULL ? deca_json_object_deep_copy (settings) : json_object_new ();
}

/* Returns (transfer none) (nullable) the flow's "description" when it is a string. */
const char *
deca_flow_document_get_description (DecaFlowDocument *self)
{
  g_return_val_if_fail (DECA_IS_FLOW_DOCUMENT (self), NULL);

  return deca_json_object_get_string (self->root, "description");
}

/* Returns (transfer full) a deep copy of "triggers", which the caller may change; an
 * empty array when the member is absent or not an array (the latter is a problem). */
JsonArray *
deca_flow_document_get_triggers (DecaFlowDocument *self)
{
  JsonNode *member;
  g_autoptr(JsonNode) copy = NULL;

  g_return_val_if_fail (DECA_IS_FLOW_DOCUMENT (self), NULL);

  member = json_object_get_member (self->root, "triggers");
  if (member == NULL || !JSON_NODE_HOLDS_ARRAY (member))
    return json_array_new ();
  copy = deca_json_deep_copy (member);
  return json_array_ref (json_node_get_array (copy));
}

GListModel *
deca_flow_document_get_nodes (DecaFlowDocument *self)
{
  g_return_val_if_fail (DECA_IS_FLOW_DOCUMENT (self), NULL);

  return G_LIST_MODEL (self->nodes);
}

GListModel *
deca_flow_document_get_connections (DecaFlowDocument *self)
{
  g_return_val_if_fail (DECA_IS_FLOW_DOCUMENT (self), NULL);

  return G_LIST_MODEL (self->connections);
}

DecaFlowNodeItem *
deca_flow_document_lookup_node (DecaFlowDocument *self,
                                const char       *id)
{
  g_return_val_if_fail (DECA_IS_FLOW_DOCUMENT (self), NULL);
  g_return_val_if_fail (id != NULL, NULL);

  return g_hash_table_lookup (self->node_by_id, id);
}

GPtrArray *
deca_flow_document_get_problems (DecaFlowDocument *self)
{
  g_return_val_if_fail (DECA_IS_FLOW_DOCUMENT (self), NULL);

  _deca_flow_document_ensure_problems (self);
  return self->problems;
}

double
deca_flow_document_get_grid_size (DecaFlowDocument *self)
{
  g_return_val_if_fail (DECA_IS_FLOW_DOCUMENT (self), 0);

  return self->grid_size;
}

void
deca_flow_document_set_grid_size (DecaFlowDocument *self,
                                  double            grid_size)
{
  g_return_if_fail (DECA_IS_FLOW_DOCUMENT (self));
  g_return_if_fail (grid_size >= 0);

  if (self->grid_size == grid_size)
    return;
  self->grid_size = grid_size;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_GRID_SIZE]);
}

/* ---- recording edits -------------------------------------------------------------------- */

void
deca_flow_document_begin_group (DecaFlowDocument *self,
                                const char       *label)
{
  g_return_if_fail (DECA_IS_FLOW_DOCUMENT (self));

  if (self->group_depth++ > 0)
    return;
  self->open_group = g_new0 (Group, 1);
  self->open_group->ops = g_ptr_array_new_with_free_func ((GDestroyNotify) op_free);
  self->open_group->label = g_strdup (label);
}

/* TRUE when @op changes nothing (a move that snapped back to where it started). */
static gboolean
op_is_noop (Op *op)
{
  return (op->kind == OP_SET_NODE || op->kind == OP_SET_CONNECTION) &&
         (op->before == op->after || json_object_equal (op->before, op->after));
}

void
deca_flow_document_end_group (DecaFlowDocument *self)
{
  Group *group;

  g_return_if_fail (DECA_IS_FLOW_DOCUMENT (self));
  g_return_if_fail (self->group_depth > 0);

  if (--self->group_depth > 0)
    return;

  group = g_steal_pointer (&self->open_group);
  for (guint i = group->ops->len; i > 0; i--)
    if (op_is_noop (group->ops->pdata[i - 1]))
      g_ptr_array_remove_index (group->ops, i - 1);
  g_clear_pointer (&group->move_items, g_ptr_array_unref);

  if (group->ops->len == 0)
    group_free (group);
  else
    {
      group->serial = self->next_serial++;
      if (group->label == NULL)
        /* Translators: the undo label of a group of edits that has no name of its own */
        group->label = g_strdup (_("Edit"));
      g_ptr_array_add (self->undo_stack, group);
      g_ptr_array_set_size (self->redo_stack, 0);
    }
  update_history (self);
}

/* Starts one edit: opens an implicit group and notes where the edit's operations begin.
 * Returns (transfer none) the open group. */
static Group *
edit_begin (DecaFlowDocument *self,
            const char       *label)
{
  Group *group;

  deca_flow_document_begin_group (self, NULL);
  group = self->open_group;
  if (group->label == NULL)
    group->label = g_strdup (label);
  group->last_edit_start = group->ops->len;
  g_clear_pointer (&group->move_items, g_ptr_array_unref);
  return group;
}

/* Applies @op (taken) and records it in the open group. */
static void
edit_apply (DecaFlowDocument *self,
            Op               *op)
{
  op_apply (self, op, TRUE);
  g_ptr_array_add (self->open_group->ops, op);
}

static void
edit_end (DecaFlowDocument *self)
{
  problems_changed (self);
  deca_flow_document_end_group (self);
  /* Inside an explicit group, "modified" may have changed with this edit. */
  update_history (self);
}

static Op *
op_new (OpKind   kind,
        gpointer item)
{
  Op *op = g_new0 (Op, 1);

  op->kind = kind;
  op->item = g_object_ref (item);
  return op;
}

/* Records an insert or remove of @item at @position. */
static void
edit_list (DecaFlowDocument *self,
           OpKind            kind,
           gpointer          item,
           guint             position)
{
  Op *op = op_new (kind, item);

  op->position = position;
  edit_apply (self, op);
}

/* Records installing @after (taken) into node @item. */
static void
edit_set_node (DecaFlowDocument *self,
               DecaFlowNodeItem *item,
               JsonObject       *after)
{
  Op *op = op_new (OP_SET_NODE, item);

  op->before = json_object_ref (_deca_flow_node_item_peek_object (item));
  op->after = after;
  edit_apply (self, op);
}

static void
edit_set_connection (DecaFlowDocument       *self,
                     DecaFlowConnectionItem *item,
                     JsonObject             *after)
{
  Op *op = op_new (OP_SET_CONNECTION, item);

  op->before = json_object_ref (_deca_flow_connection_item_peek_object (item));
  op->after = after;
  edit_apply (self, op);
}

/* Records setting top-level @member to @value (transfer full; NULL removes it). */
static void
edit_set_member (DecaFlowDocument *self,
                 const char       *member,
                 JsonNode         *value)
{
  Op *op = g_new0 (Op, 1);
  JsonNode *old = json_object_get_member (self->root, member);

  op->kind = OP_SET_MEMBER;
  op->member = g_strdup (member);
  op->old_value = old != NULL ? json_node_copy (old) : NULL;
  op->new_value = value;
  edit_apply (self, op);
}

static DecaFlowNodeItem *
require_node (DecaFlowDocument  *self,
              const char        *id,
              GError           **error)
{
  DecaFlowNodeItem *item = g_hash_table_lookup (self->node_by_id, id);

  if (item == NULL)
    g_set_error (error, DECA_ENGINE_ERROR, DECA_ENGINE_ERROR_NOT_FOUND,
                 _("there is no node '%s'"), id);
  return item;
}

/* ---- node edits ------------------------------------------------------------------------- */

static double
snap (DecaFlowDocument *self,
      double            value)
{
  if (self->grid_size <= 0)
    return value;
  return round (value / self->grid_size) * self->grid_size;
}

/* A config holding the "default" of every property of @schema. */
static JsonObject *
config_defaults (JsonNode *schema)
{
  JsonObject *config = json_object_new ();
  JsonObject *props = schema != NULL && JSON_NODE_HOLDS_OBJECT (schema)
                      ? deca_json_object_get_object (json_node_get_object (schema), "properties") : NULL;
  JsonObjectIter iter;
  const char *name;
  JsonNode *member;

  if (props == NULL)
    return config;
  json_object_iter_init_ordered (&iter, props);
  while (json_object_iter_next_ordered (&iter, &name, &member))
    {
      JsonNode *value;

      if (!JSON_NODE_HOLDS_OBJECT (member))
        continue;
      value = json_object_get_member (json_node_get_object (member), "default");
      if (value != NULL)
        json_object_set_member (config, name, deca_json_deep_copy (value));
    }
  return config;
}

DecaFlowNodeItem *
deca_flow_document_add_node (DecaFlowDocument  *self,
                             const char        *type,
                             double             x,
                             double             y,
                             GError           **error)
{
  DecaNodeType *node_type;
  g_autofree char *id = NULL;
  g_autoptr(DecaFlowNodeItem) item = NULL;
  JsonObject *object, *position;

  g_return_val_if_fail (DECA_IS_FLOW_DOCUMENT (self), NULL);
  g_return_val_if_fail (type != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  node_type = deca_node_registry_lookup (self->registry, type);
  if (node_type == NULL)
    {
      g_set_error (error, DECA_ENGINE_ERROR, DECA_ENGINE_ERROR_NOT_FOUND,
                   _("unknown node type '%s'"), type);
      return NULL;
    }

  id = fresh_id (self, type, NULL);
  object = json_object_new ();
  json_object_set_string_member (object, "id", id);
  json_object_set_string_member (object, "type", type);
  json_object_set_object_member (object, "config",
                                 config_defaults (deca_node_type_get_config_schema (node_type)));
  position = json_object_new ();
  json_object_set_double_member (position, "x", snap (self, x));
  json_object_set_double_member (position, "y", snap (self, y));
  json_object_set_object_member (object, "position", position);
  item = _deca_flow_node_item_new (object);
  json_object_unref (object);

  edit_begin (self, _("Add node"));
  edit_list (self, OP_INSERT_NODE, item, g_list_model_get_n_items (G_LIST_MODEL (self->nodes)));
  edit_end (self);
  return item;
}

static int
compare_uint_desc (gconstpointer a,
                   gconstpointer b)
{
  guint x = *(const guint *) a, y = *(const guint *) b;

  return x < y ? 1 : x > y ? -1 : 0;
}

gboolean
deca_flow_document_remove_nodes (DecaFlowDocument   *self,
                                 const char * const *ids)
{
  g_autoptr(GHashTable) doomed = g_hash_table_new (NULL, NULL);
  g_autoptr(GArray) positions = g_array_new (FALSE, FALSE, sizeof (guint));
  GListModel *nodes, *connections;
  guint n;
  g_autofree char *label = NULL;

  g_return_val_if_fail (DECA_IS_FLOW_DOCUMENT (self), FALSE);
  g_return_val_if_fail (ids != NULL, FALSE);

  for (guint i = 0; ids[i] != NULL; i++)
    {
      DecaFlowNodeItem *item = g_hash_table_lookup (self->node_by_id, ids[i]);

      if (item != NULL)
        g_hash_table_add (doomed, item);
    }
  if (g_hash_table_size (doomed) == 0)
    return FALSE;

  label = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "Delete node", "Delete %u nodes",
                                        g_hash_table_size (doomed)),
                           g_hash_table_size (doomed));
  edit_begin (self, label);

  /* Connections first, highest position first, so that positions stay valid and undo
   * (which runs backwards) re-inserts each at the position it had. */
  connections = G_LIST_MODEL (self->connections);
  n = g_list_model_get_n_items (connections);
  for (guint i = 0; i < n; i++)
    {
      g_autoptr(DecaFlowConnectionItem) item = g_list_model_get_item (connections, i);
      DecaFlowNodeItem *from = g_hash_table_lookup (self->node_by_id, deca_flow_connection_item_get_from (item));
      DecaFlowNodeItem *to = g_hash_table_lookup (self->node_by_id, deca_flow_connection_item_get_to (item));

      if ((from != NULL && g_hash_table_contains (doomed, from)) ||
          (to != NULL && g_hash_table_contains (doomed, to)))
        g_array_append_val (positions, i);
    }
  for (guint i = positions->len; i > 0; i--)
    {
      guint position = g_array_index (positions, guint, i - 1);
      g_autoptr(DecaFlowConnectionItem) item = g_list_model_get_item (connections, position);

      edit_list (self, OP_REMOVE_CONNECTION, item, position);
    }

  g_array_set_size (positions, 0);
  nodes = G_LIST_MODEL (self->nodes);
  n = g_list_model_get_n_items (nodes);
  for (guint i = 0; i < n; i++)
    {
      g_autoptr(DecaFlowNodeItem) item = g_list_model_get_item (nodes, i);

      if (g_hash_table_contains (doomed, item))
        g_array_append_val (positions, i);
    }
  g_array_sort (positions, compare_uint_desc);
  for (guint i = 0; i < positions->len; i++)
    {
      guint position = g_array_index (positions, guint, i);
      g_autoptr(DecaFlowNodeItem) item = g_list_model_get_item (nodes, position);

      edit_list (self, OP_REMOVE_NODE, item, position);
    }

  edit_end (self);
  return TRUE;
}

/* The items named in @ids, in that order, without repeats or unknown ids. */
static GPtrArray *
collect_nodes (DecaFlowDocument   *self,
               const char * const *ids)
{
  GPtrArray *items = g_ptr_array_new_with_free_func (g_object_unref);
  g_autoptr(GHashTable) seen = g_hash_table_new (NULL, NULL);

  for (guint i = 0; ids[i] != NULL; i++)
    {
      DecaFlowNodeItem *item = g_hash_table_lookup (self->node_by_id, ids[i]);

      if (item != NULL && g_hash_table_add (seen, item))
        g_ptr_array_add (items, g_object_ref (item));
    }
  return items;
}

static gboolean
same_items (GPtrArray *a,
            GPtrArray *b)
{
  if (a == NULL || b == NULL || a->len != b->len)
    return FALSE;
  for (guint i = 0; i < a->len; i++)
    if (a->pdata[i] != b->pdata[i])
      return FALSE;
  return TRUE;
}

static gboolean
move_items (DecaFlowDocument *self,
            GPtrArray        *items,
            double            dx,
            double            dy)
{
  Group *group = self->open_group;
  g_autofree char *label = NULL;

  if (items->len == 0)
    return FALSE;

  /* A drag is many moves of the same nodes: inside one group they become one operation
   * per node, each going from where the drag started to where it is now. Snapping the
   * total offset (not each step) lets small steps add up to a grid cell. */
  if (group != NULL && same_items (group->move_items, items) &&
      group->ops->len - group->last_edit_start == items->len)
    {
      group->move_dx += dx;
      group->move_dy += dy;
      for (guint i = 0; i < items->len; i++)
        {
          Op *op = group->ops->pdata[group->last_edit_start + i];
          double x = 0, y = 0;

          g_assert (op->kind == OP_SET_NODE && op->item == items->pdata[i]);
          deca_json_object_get_number (deca_json_object_get_object (op->before, "position"), "x", &x);
          deca_json_object_get_number (deca_json_object_get_object (op->before, "position"), "y", &y);
          json_object_unref (op->after);
          op->after = object_with_position (op->before, snap (self, x + group->move_dx),
                                            snap (self, y + group->move_dy));
          install_node_object (self, DECA_FLOW_NODE_ITEM (op->item), op->after);
        }
      problems_changed (self);
      update_history (self);
      return TRUE;
    }

  label = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "Move node", "Move %u nodes", items->len),
                           items->len);
  group = edit_begin (self, label);
  for (guint i = 0; i < items->len; i++)
    {
      DecaFlowNodeItem *item = items->pdata[i];

      edit_set_node (self, item,
                     object_with_position (_deca_flow_node_item_peek_object (item),
                                           snap (self, deca_flow_node_item_get_x (item) + dx),
                                           snap (self, deca_flow_node_item_get_y (item) + dy)));
    }
  group->move_items = g_ptr_array_ref (items);
  group->move_dx = dx;
  group->move_dy = dy;
  edit_end (self);
  return TRUE;
}

gboolean
deca_flow_document_move_nodes (DecaFlowDocument   *self,
                               const char * const *ids,
                               double              dx,
                               double              dy)
{
  g_autoptr(GPtrArray) items = NULL;

  g_return_val_if_fail (DECA_IS_FLOW_DOCUMENT (self), FALSE);
  g_return_val_if_fail (ids != NULL, FALSE);

  items = collect_nodes (self, ids);
  return move_items (self, items, dx, dy);
}

gboolean
deca_flow_document_set_node_position (DecaFlowDocument *self,
                                      const char       *id,
                                      double            x,
                                      double            y)
{
  const char *ids[] = { id, NULL };
  g_autoptr(GPtrArray) items = NULL;
  DecaFlowNodeItem *item;

  g_return_val_if_fail (DECA_IS_FLOW_DOCUMENT (self), FALSE);
  g_return_val_if_fail (id != NULL, FALSE);

  items = collect_nodes (self, ids);
  if (items->len == 0)
    return FALSE;
  item = items->pdata[0];
  return move_items (self, items, x - deca_flow_node_item_get_x (item), y - deca_flow_node_item_get_y (item));
}

/* ---- rewriting references --------------------------------------------------------------- */

typedef struct {
  guint offset;
  guint length;
  const char *replacement;
} Splice;

static int
compare_splices (gconstpointer a,
                 gconstpointer b)
{
  const Splice *x = a, *y = b;

  return x->offset < y->offset ? -1 : x->offset > y->offset ? 1 : 0;
}

/* Returns (transfer full) (nullable) @text with every reference whose root is a key of
 * @renames (old id -> new id) renamed, or NULL when nothing changed or @text does not
 * parse (then nothing in it can be trusted to be a reference). Only root identifiers
 * change: "{{a.a}}" renaming a to b gives "{{b.a}}", and text outside {{ }} stays. */
static char *
rewrite_text (const char *text,
              gboolean    is_expression,
              GHashTable *renames)
{
  g_autoptr(GPtrArray) references =
    g_ptr_array_new_with_free_func ((GDestroyNotify) deca_expr_reference_free);
  g_autoptr(GArray) splices = g_array_new (FALSE, FALSE, sizeof (Splice));
  GString *out;
  gsize len = strlen (text);
  guint done = 0;

  if (!is_expression && strstr (text, "{{") == NULL)
    return NULL;
  if (is_expression)
    {
      g_autoptr(DecaExpr) expr = deca_expr_parse (text, NULL, NULL);

      if (expr == NULL)
        return NULL;
      deca_expr_collect_references (expr, references);
    }
  else
    {
      g_autoptr(DecaTemplate) tmpl = deca_template_parse (text, NULL, NULL);

      if (tmpl == NULL)
        return NULL;
      deca_template_collect_references (tmpl, references);
    }

  for (guint i = 0; i < references->len; i++)
    {
      DecaExprReference *reference = references->pdata[i];
      const char *replacement = g_hash_table_lookup (renames, reference->root);
      gsize root_len = strlen (reference->root);
      Splice splice;

      if (replacement == NULL || reference->offset + root_len > len ||
          strncmp (text + reference->offset, reference->root, root_len) != 0)
        continue;
      splice.offset = reference->offset;
      splice.length = root_len;
      splice.replacement = replacement;
      g_array_append_val (splices, splice);
    }
  if (splices->len == 0)
    return NULL;

  g_array_sort (splices, compare_splices);
  out = g_string_sized_new (len + 16);
  for (guint i = 0; i < splices->len; i++)
    {
      Splice *splice = &g_array_index (splices, Splice, i);

      if (splice->offset < done)
        continue;
      g_string_append_len (out, text + done, splice->offset - done);
      g_string_append (out, splice->replacement);
      done = splice->offset + splice->length;
    }
  g_string_append (out, text + done);
  return g_string_free (out, FALSE);
}

static const char *
schema_format (JsonNode *schema)
{
  if (schema == NULL || !JSON_NODE_HOLDS_OBJECT (schema))
    return NULL;
  return deca_json_object_get_string (json_node_get_object (schema), "format");
}

/* Returns (transfer full) (nullable) a copy of config value @value with references
 * renamed, NULL when nothing in it changed. Strings are templates unless their schema
 * says "format": "expression", as in the validator. */
static JsonNode *
rewrite_value (JsonNode   *value,
               JsonNode   *schema,
               GHashTable *renames)
{
  if (JSON_NODE_HOLDS_OBJECT (value))
    {
      JsonObject *object = json_node_get_object (value);
      JsonObject *copy = NULL;
      JsonObjectIter iter;
      const char *name;
      JsonNode *member;

      json_object_iter_init_ordered (&iter, object);
      while (json_object_iter_next_ordered (&iter, &name, &member))
        {
          JsonNode *changed = rewrite_value (member, deca_schema_get_property (schema, name), renames);

          if (changed == NULL)
            continue;
          if (copy == NULL)
            copy = object_copy_shallow (object);
          json_object_set_member (copy, name, changed);
        }
      return copy != NULL ? node_new_object (copy) : NULL;
    }
  if (JSON_NODE_HOLDS_ARRAY (value))
    {
      JsonArray *array = json_node_get_array (value);
      JsonNode *items = deca_schema_get_items (schema);
      g_autoptr(GPtrArray) changed = g_ptr_array_new_with_free_func ((GDestroyNotify) json_node_unref);
      gboolean any = FALSE;
      JsonArray *copy;

      for (guint i = 0; i < json_array_get_length (array); i++)
        {
          JsonNode *element = rewrite_value (json_array_get_element (array, i), items, renames);

          any |= element != NULL;
          g_ptr_array_add (changed, element);
        }
      if (!any)
        return NULL;
      copy = json_array_sized_new (json_array_get_length (array));
      for (guint i = 0; i < json_array_get_length (array); i++)
        json_array_add_element (copy, changed->pdata[i] != NULL ? json_node_ref (changed->pdata[i])
                                      : json_node_copy (json_array_get_element (array, i)));
      return node_new_array (copy);
    }
  if (JSON_NODE_HOLDS_VALUE (value) && json_node_get_value_type (value) == G_TYPE_STRING)
    {
      g_autofree char *text = rewrite_text (json_node_get_string (value),
                                            g_strcmp0 (schema_format (schema), "expression") == 0,
                                            renames);

      return text != NULL ? json_node_init_string (json_node_alloc (), text) : NULL;
    }
  return NULL;
}

/* Returns (transfer full) (nullable) node object @object with its config's references
 * renamed, NULL when nothing changed. */
static JsonObject *
rewrite_node (DecaFlowDocument *self,
              JsonObject       *object,
              GHashTable       *renames)
{
  JsonNode *config = json_object_get_member (object, "config");
  DecaNodeType *type;
  JsonNode *changed;

  if (config == NULL)
    return NULL;
  type = deca_node_registry_lookup (self->registry, deca_json_object_get_string (object, "type"));
  changed = rewrite_value (config, type != NULL ? deca_node_type_get_config_schema (type) : NULL, renames);
  return changed != NULL ? object_with_member (object, "config", changed) : NULL;
}

/* Returns (transfer full) (nullable) connection object @object with "from", "to" and
 * its condition renamed, NULL when nothing changed. */
static JsonObject *
rewrite_connection (JsonObject *object,
                    GHashTable *renames)
{
  const char *from = deca_json_object_get_string (object, "from");
  const char *to = deca_json_object_get_string (object, "to");
  const char *condition = deca_json_object_get_string (object, "condition");
  g_autofree char *new_condition = condition != NULL ? rewrite_text (condition, TRUE, renames) : NULL;
  const char *new_from = from != NULL ? g_hash_table_lookup (renames, from) : NULL;
  const char *new_to = to != NULL ? g_hash_table_lookup (renames, to) : NULL;
  JsonObject *copy;

  if (new_from == NULL && new_to == NULL && new_condition == NULL)
    return NULL;
  copy = object_copy_shallow (object);
  if (new_from != NULL)
    json_object_set_string_member (copy, "from", new_from);
  if (new_to != NULL)
    json_object_set_string_member (copy, "to", new_to);
  if (new_condition != NULL)
    json_object_set_string_member (copy, "condition", new_condition);
  return copy;
}

gboolean
deca_flow_document_rename_node (DecaFlowDocument  *self,
                                const char        *id,
                                const char        *new_id,
                                GError           **error)
{
  g_autoptr(GHashTable) renames = NULL;
  DecaFlowNodeItem *item;
  JsonObject *object, *renamed, *rewritten;
  guint n;

  g_return_val_if_fail (DECA_IS_FLOW_DOCUMENT (self), FALSE);
  g_return_val_if_fail (id != NULL, FALSE);
  g_return_val_if_fail (new_id != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if ((item = require_node (self, id, error)) == NULL)
    return FALSE;
  if (g_str_equal (id, new_id))
    return TRUE;
  if (!check_node_id (new_id, error))
    return FALSE;
  if (g_hash_table_contains (self->node_by_id, new_id))
    {
      g_set_error (error, DECA_ENGINE_ERROR, DECA_ENGINE_ERROR_INVALID,
                   _("another node already has the id '%s'"), new_id);
      return FALSE;
    }

  renames = g_hash_table_new (g_str_hash, g_str_equal);
  g_hash_table_insert (renames, (gpointer) id, (gpointer) new_id);

  edit_begin (self, _("Rename node"));

  /* The node itself first, so that the connections below find it under its new id. */
  object = _deca_flow_node_item_peek_object (item);
  renamed = object_with_string (object, "id", new_id);
  rewritten = rewrite_node (self, renamed, renames);
  if (rewritten != NULL)
    {
      json_object_unref (renamed);
      renamed = rewritten;
    }
  /* @id may point into the object being replaced; the table must not outlive it. */
  g_hash_table_remove_all (renames);
  g_hash_table_insert (renames, (gpointer) deca_json_object_get_string (object, "id"), (gpointer) new_id);
  json_object_ref (object);
  edit_set_node (self, item, renamed);

  n = g_list_model_get_n_items (G_LIST_MODEL (self->nodes));
  for (guint i = 0; i < n; i++)
    {
      g_autoptr(DecaFlowNodeItem) other = g_list_model_get_item (G_LIST_MODEL (self->nodes), i);

      if (other != item && (rewritten = rewrite_node (self, _deca_flow_node_item_peek_object (other), renames)) != NULL)
        edit_set_node (self, other, rewritten);
    }
  n = g_list_model_get_n_items (G_LIST_MODEL (self->connections));
  for (guint i = 0; i < n; i++)
    {
      g_autoptr(DecaFlowConnectionItem) connection = g_list_model_get_item (G_LIST_MODEL (self->connections), i);

      rewritten = rewrite_connection (_deca_flow_connection_item_peek_object (connection), renames);
      if (rewritten != NULL)
        edit_set_connection (self, connection, rewritten);
    }
  g_hash_table_remove_all (renames);
  json_object_unref (object);

  edit_end (self);
  return TRUE;
}

static gboolean
set_node_member (DecaFlowDocument  *self,
                 const char        *id,
                 const char        *member,
                 JsonNode          *value,
                 const char        *label,
                 GError           **error)
{
  DecaFlowNodeItem *item = require_node (self, id, error);

  if (item == NULL)
    {
      g_clear_pointer (&value, json_node_unref);
      return FALSE;
    }
  edit_begin (self, label);
  edit_set_node (self, item, object_with_member (_deca_flow_node_item_peek_object (item), member, value));
  edit_end (self);
  return TRUE;
}

gboolean
deca_flow_document_set_node_config (DecaFlowDocument  *self,
                                    const char        *id,
                                    JsonObject        *config,
                                    GError           **error)
{
  g_return_val_if_fail (DECA_IS_FLOW_DOCUMENT (self), FALSE);
  g_return_val_if_fail (id != NULL, FALSE);
  g_return_val_if_fail (config != NULL, FALSE);

  return set_node_member (self, id, "config",
                          node_new_object (deca_json_object_deep_copy (config)),
                          _("Edit node"), error);
}

/* Returns (transfer full) a copy of @object with the member at @tokens set to @value
 * (taken; NULL removes it), creating missing objects on the way; NULL with @error when a
 * step on the way is not an object. */
static JsonObject *
object_with_path (JsonObject  *object,
                  char       **tokens,
                  JsonNode    *value,
                  GString     *where,
                  GError     **error)
{
  JsonNode *next;
  JsonObject *inner, *changed;

  if (tokens[1] == NULL)
    return object_with_member (object, tokens[0], value);

  deca_json_pointer_append (where, tokens[0]);
  next = json_object_get_member (object, tokens[0]);
  if (next != NULL && !JSON_NODE_HOLDS_OBJECT (next))
    {
      /* Translators: "config/headers is string, not an object": the first %s is the rest
       * of a JSON pointer into the node's config, the second a JSON type name */
      g_set_error (error, DECA_ENGINE_ERROR, DECA_ENGINE_ERROR_INVALID,
                   _("config%s is %s, not an object"), where->str, deca_json_type_name (next));
      g_clear_pointer (&value, json_node_unref);
      return NULL;
    }
  inner = next != NULL ? json_object_ref (json_node_get_object (next)) : json_object_new ();
  changed = object_with_path (inner, tokens + 1, value, where, error);
  json_object_unref (inner);
  if (changed == NULL)
    return NULL;
  return object_with_member (object, tokens[0], node_new_object (changed));
}

gboolean
deca_flow_document_set_node_field (DecaFlowDocument  *self,
                                   const char        *id,
                                   const char        *field,
                                   JsonNode          *value,
                                   GError           **error)
{
  g_auto(GStrv) tokens = NULL;
  g_autoptr(GString) where = NULL;
  g_autoptr(JsonObject) config = NULL;
  DecaFlowNodeItem *item;
  JsonObject *changed, *current;

  g_return_val_if_fail (DECA_IS_FLOW_DOCUMENT (self), FALSE);
  g_return_val_if_fail (id != NULL, FALSE);
  g_return_val_if_fail (field != NULL && *field != '\0', FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if ((item = require_node (self, id, error)) == NULL)
    return FALSE;
  tokens = deca_json_pointer_split (field);
  if (tokens[0] == NULL)
    {
      g_set_error (error, DECA_ENGINE_ERROR, DECA_ENGINE_ERROR_INVALID,
                   _("'%s' does not name a config member"), field);
      return FALSE;
    }
  current = deca_json_object_get_object (_deca_flow_node_item_peek_object (item), "config");
  config = current != NULL ? json_object_ref (current) : json_object_new ();
  where = g_string_new (NULL);
  changed = object_with_path (config, tokens, value != NULL ? deca_json_deep_copy (value) : NULL,
                              where, error);
  if (changed == NULL)
    return FALSE;

  edit_begin (self, _("Edit node"));
  edit_set_node (self, item, object_with_member (_deca_flow_node_item_peek_object (item), "config",
                                                 node_new_object (changed)));
  edit_end (self);
  return TRUE;
}

gboolean
deca_flow_document_set_node_retry (DecaFlowDocument  *self,
                                   const char        *id,
                                   JsonObject        *retry,
                                   GError           **error)
{
  g_return_val_if_fail (DECA_IS_FLOW_DOCUMENT (self), FALSE);
  g_return_val_if_fail (id != NULL, FALSE);

  return set_node_member (self, id, "retry",
                          retry != NULL ? node_new_object (deca_json_object_deep_copy (retry)) : NULL,
                          _("Change retry"), error);
}

gboolean
deca_flow_document_set_node_timeout (DecaFlowDocument  *self,
                                     const char        *id,
                                     double             timeout,
                                     GError           **error)
{
  JsonNode *value = NULL;

  g_return_val_if_fail (DECA_IS_FLOW_DOCUMENT (self), FALSE);
  g_return_val_if_fail (id != NULL, FALSE);
  g_return_val_if_fail (timeout >= 0, FALSE);

  if (timeout > 0)
    json_node_set_double (value = json_node_init (json_node_alloc (), JSON_NODE_VALUE), timeout);
  return set_node_member (self, id, "timeout", value, _("Change timeout"), error);
}

void
deca_flow_document_set_name (DecaFlowDocument *self,
                             const char       *name)
{
  g_return_if_fail (DECA_IS_FLOW_DOCUMENT (self));
  g_return_if_fail (name != NULL);

  if (g_strcmp0 (name, deca_flow_document_get_name (self)) == 0)
    return;
  edit_begin (self, _("Rename flow"));
  edit_set_member (self, "name", json_node_init_string (json_node_alloc (), name));
  edit_end (self);
}

void
deca_flow_document_set_settings (DecaFlowDocument *self,
                                 JsonObject       *settings)
{
  g_return_if_fail (DECA_IS_FLOW_DOCUMENT (self));

  if (settings == NULL ? !json_object_has_member (self->root, "settings")
      : (deca_json_object_get_object (self->root, "settings") != NULL &&
         json_object_equal (settings, deca_json_object_get_object (self->root, "settings"))))
    return;
  edit_begin (self, _("Change settings"));
  edit_set_member (self, "settings",
                   settings != NULL ? node_new_object (deca_json_object_deep_copy (settings)) : NULL);
  edit_end (self);
}

/* Sets "description" to @description, or removes it when @description is NULL or "";
 * undoable as "Change description". Does nothing when nothing changes. */
void
deca_flow_document_set_description (DecaFlowDocument *self,
                                    const char       *description)
{
  g_return_if_fail (DECA_IS_FLOW_DOCUMENT (self));

  if (description != NULL && *description == '\0')
    description = NULL;
  /* A "description" that is not a string is replaced (or removed) too. */
  if (description == NULL ? !json_object_has_member (self->root, "description")
      : g_strcmp0 (description, deca_flow_document_get_description (self)) == 0)
    return;
  edit_begin (self, _("Change description"));
  edit_set_member (self, "description",
                   description != NULL ? json_node_init_string (json_node_alloc (), description)
                                       : NULL);
  edit_end (self);
}

/* Replaces "triggers" with a deep copy of @triggers, or removes the member when
 * @triggers is NULL; undoable as "Change triggers". The triggers are not checked here:
 * what the validator refuses shows up in the problems (pointers /triggers/N/...).
 * Returns FALSE, recording nothing, when the document already holds exactly that. */
gboolean
deca_flow_document_set_triggers (DecaFlowDocument *self,
                                 JsonArray        *triggers)
{
  JsonNode *current;
  g_autoptr(JsonNode) wanted = NULL;

  g_return_val_if_fail (DECA_IS_FLOW_DOCUMENT (self), FALSE);

  current = json_object_get_member (self->root, "triggers");
  if (triggers == NULL)
    {
      if (current == NULL)
        return FALSE;
    }
  else
    {
      wanted = json_node_init_array (json_node_alloc (), triggers);
      if (current != NULL && json_node_equal (current, wanted))
        return FALSE;
    }
  edit_begin (self, _("Change triggers"));
  edit_set_member (self, "triggers", wanted != NULL ? deca_json_deep_copy (wanted) : NULL);
  edit_end (self);
  return TRUE;
}

/* ---- connections ------------------------------------------------------------------------ */

/* The graph of the document as index arrays, for connect's checks. */
typedef struct {
  guint n_nodes;
  GHashTable *index_of;       /* borrowed id -> index + 1 */
  DecaFlowNodeItem **nodes;
  guint n_edges;
  guint *edge_from;
  guint *edge_to;
  const char **edge_port;
  guint *out_start;           /* CSR: edges leaving n are out_edges[out_start[n]..[n+1]] */
  guint *out_edges;
  GHashTable *bodies;         /* loop index -> gboolean[n_nodes], computed on demand */
} Graph;

static void
graph_clear (Graph *graph)
{
  g_clear_pointer (&graph->index_of, g_hash_table_unref);
  g_clear_pointer (&graph->bodies, g_hash_table_unref);
  g_free (graph->nodes);
  g_free (graph->edge_from);
  g_free (graph->edge_to);
  g_free (graph->edge_port);
  g_free (graph->out_start);
  g_free (graph->out_edges);
}

static void
graph_init (Graph            *graph,
            DecaFlowDocument *self)
{
  GListModel *connections = G_LIST_MODEL (self->connections);
  guint n_connections = g_list_model_get_n_items (connections);
  g_autofree guint *fill = NULL;

  memset (graph, 0, sizeof *graph);
  graph->n_nodes = g_list_model_get_n_items (G_LIST_MODEL (self->nodes));
  graph->index_of = g_hash_table_new (g_str_hash, g_str_equal);
  graph->nodes = g_new0 (DecaFlowNodeItem *, graph->n_nodes + 1);
  graph->bodies = g_hash_table_new_full (NULL, NULL, NULL, g_free);
  for (guint i = 0; i < graph->n_nodes; i++)
    {
      g_autoptr(DecaFlowNodeItem) item = g_list_model_get_item (G_LIST_MODEL (self->nodes), i);

      graph->nodes[i] = item;   /* the list keeps it alive */
      g_hash_table_insert (graph->index_of, (gpointer) deca_flow_node_item_get_id (item), GUINT_TO_POINTER (i + 1));
    }

  graph->edge_from = g_new (guint, n_connections + 1);
  graph->edge_to = g_new (guint, n_connections + 1);
  graph->edge_port = g_new (const char *, n_connections + 1);
  for (guint i = 0; i < n_connections; i++)
    {
      g_autoptr(DecaFlowConnectionItem) item = g_list_model_get_item (connections, i);
      guint from = GPOINTER_TO_UINT (g_hash_table_lookup (graph->index_of, deca_flow_connection_item_get_from (item)));
      guint to = GPOINTER_TO_UINT (g_hash_table_lookup (graph->index_of, deca_flow_connection_item_get_to (item)));

      if (from == 0 || to == 0)
        continue;
      graph->edge_from[graph->n_edges] = from - 1;
      graph->edge_to[graph->n_edges] = to - 1;
      graph->edge_port[graph->n_edges] = deca_flow_connection_item_get_from_port (item);
      graph->n_edges++;
    }

  graph->out_start = g_new0 (guint, graph->n_nodes + 1);
  graph->out_edges = g_new (guint, graph->n_edges + 1);
  for (guint e = 0; e < graph->n_edges; e++)
    graph->out_start[graph->edge_from[e] + 1]++;
  for (guint n = 0; n < graph->n_nodes; n++)
    graph->out_start[n + 1] += graph->out_start[n];
  fill = g_memdup2 (graph->out_start, sizeof (guint) * (graph->n_nodes + 1));
  for (guint e = 0; e < graph->n_edges; e++)
    graph->out_edges[fill[graph->edge_from[e]]++] = e;
}

static gboolean
graph_is_loop (DecaFlowDocument *self,
               Graph            *graph,
               guint             n)
{
  const char *type_name = deca_flow_node_item_get_node_type (graph->nodes[n]);
  DecaNodeType *type = deca_node_registry_lookup (self->registry, type_name);

  return type != NULL && deca_node_type_get_kind (type) == DECA_NODE_KIND_LOOP;
}

/* The body of loop @loop: the nodes reachable from its "body" port without passing
 * through the loop itself (docs/flow-format.md, "Cycles and loops"). */
static const gboolean *
graph_body (Graph *graph,
            guint  loop)
{
  gboolean *body = g_hash_table_lookup (graph->bodies, GUINT_TO_POINTER (loop + 1));
  g_autoptr(GArray) queue = NULL;

  if (body != NULL)
    return body;
  body = g_new0 (gboolean, graph->n_nodes + 1);
  queue = g_array_new (FALSE, FALSE, sizeof (guint));
  for (guint k = graph->out_start[loop]; k < graph->out_start[loop + 1]; k++)
    {
      guint e = graph->out_edges[k];

      if (g_str_equal (graph->edge_port[e], "body") && graph->edge_to[e] != loop && !body[graph->edge_to[e]])
        {
          body[graph->edge_to[e]] = TRUE;
          g_array_append_val (queue, graph->edge_to[e]);
        }
    }
  for (guint q = 0; q < queue->len; q++)
    {
      guint n = g_array_index (queue, guint, q);

      for (guint k = graph->out_start[n]; k < graph->out_start[n + 1]; k++)
        {
          guint to = graph->edge_to[graph->out_edges[k]];

          if (to != loop && !body[to])
            {
              body[to] = TRUE;
              g_array_append_val (queue, to);
            }
        }
    }
  g_hash_table_insert (graph->bodies, GUINT_TO_POINTER (loop + 1), body);
  return body;
}

/* TRUE when an edge @from -> @to is a legal loop back edge. */
static gboolean
graph_is_back_edge (DecaFlowDocument *self,
                    Graph            *graph,
                    guint             from,
                    guint             to)
{
  return graph_is_loop (self, graph, to) && graph_body (graph, to)[from];
}

/* Returns (transfer full) (nullable) "from -> to -> ... -> from" when a path leads from
 * @to back to @from (legal loop back edges aside), so that a new edge @from -> @to would
 * close a cycle; NULL when it would not. A breadth-first search: O(nodes + edges), plus
 * the bodies of the loops it meets. */
static char *
graph_find_cycle (DecaFlowDocument *self,
                  Graph            *graph,
                  guint             from,
                  guint             to)
{
  g_autofree int *parent = g_new (int, graph->n_nodes + 1);
  g_autoptr(GArray) queue = g_array_new (FALSE, FALSE, sizeof (guint));
  g_autoptr(GArray) path = NULL;
  GString *text;

  for (guint n = 0; n < graph->n_nodes; n++)
    parent[n] = -2;
  parent[to] = -1;
  g_array_append_val (queue, to);
  for (guint q = 0; q < queue->len && parent[from] == -2; q++)
    {
      guint n = g_array_index (queue, guint, q);

      for (guint k = graph->out_start[n]; k < graph->out_start[n + 1]; k++)
        {
          guint next = graph->edge_to[graph->out_edges[k]];

          if (parent[next] != -2 || graph_is_back_edge (self, graph, n, next))
            continue;
          parent[next] = (int) n;
          g_array_append_val (queue, next);
        }
    }
  if (parent[from] == -2)
    return NULL;

  path = g_array_new (FALSE, FALSE, sizeof (guint));
  for (int n = (int) from; n >= 0; n = parent[n])
    g_array_prepend_val (path, n);
  text = g_string_new (deca_flow_node_item_get_id (graph->nodes[from]));
  for (guint i = 0; i < path->len; i++)
    g_string_append_printf (text, " -> %s", deca_flow_node_item_get_id (graph->nodes[g_array_index (path, guint, i)]));
  return g_string_free (text, FALSE);
}

DecaFlowConnectionItem *
deca_flow_document_connect (DecaFlowDocument  *self,
                            const char        *from,
                            const char        *from_port,
                            const char        *to,
                            const char        *to_port,
                            const char        *condition,
                            gboolean           on_error,
                            GError           **error)
{
  DecaFlowNodeItem *source, *target;
  DecaNodeType *type;
  const char *port, *target_port;
  g_autoptr(DecaFlowConnectionItem) item = NULL;
  JsonObject *object;
  guint n;

  g_return_val_if_fail (DECA_IS_FLOW_DOCUMENT (self), NULL);
  g_return_val_if_fail (from != NULL, NULL);
  g_return_val_if_fail (to != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if ((source = require_node (self, from, error)) == NULL ||
      (target = require_node (self, to, error)) == NULL)
    return NULL;
  if (source == target)
    {
      g_set_error_literal (error, DECA_ENGINE_ERROR, DECA_ENGINE_ERROR_INVALID,
                           _("a node cannot connect to itself"));
      return NULL;
    }
  if (from_port != NULL && g_str_equal (from_port, DECA_NODE_PORT_ERROR))
    on_error = TRUE;
  if (on_error && from_port != NULL && !g_str_equal (from_port, DECA_NODE_PORT_ERROR))
    {
      g_set_error (error, DECA_ENGINE_ERROR, DECA_ENGINE_ERROR_INVALID,
                   _("a fallback connection leaves from the 'error' port, not '%s'"), from_port);
      return NULL;
    }

  type = deca_node_registry_lookup (self->registry, deca_flow_node_item_get_node_type (source));
  if (from_port != NULL && !on_error && type != NULL)
    {
      g_autoptr(JsonObject) config = deca_flow_node_item_get_config (source);
      g_auto(GStrv) ports = deca_node_type_list_output_ports (type, config);

      if (!g_strv_contains ((const char * const *) ports, from_port))
        {
          g_autofree char *list = g_strjoinv (", ", ports);

          g_set_error (error, DECA_ENGINE_ERROR, DECA_ENGINE_ERROR_INVALID,
                       _("'%s' has no port '%s'; its ports are %s"), from, from_port, list);
          return NULL;
        }
    }
  port = on_error ? DECA_NODE_PORT_ERROR
         : from_port != NULL ? from_port
         : type != NULL ? deca_node_type_get_default_port (type) : DECA_NODE_PORT_MAIN;
  target_port = to_port != NULL ? to_port : DECA_NODE_PORT_MAIN;

  n = g_list_model_get_n_items (G_LIST_MODEL (self->connections));
  for (guint i = 0; i < n; i++)
    {
      g_autoptr(DecaFlowConnectionItem) other = g_list_model_get_item (G_LIST_MODEL (self->connections), i);

      if (g_str_equal (deca_flow_connection_item_get_from (other), from) &&
          g_str_equal (deca_flow_connection_item_get_to (other), to) &&
          g_str_equal (deca_flow_connection_item_get_from_port (other), port) &&
          g_str_equal (deca_flow_connection_item_get_to_port (other), target_port))
        {
          g_set_error (error, DECA_ENGINE_ERROR, DECA_ENGINE_ERROR_INVALID,
                       _("'%s' is already connected to '%s'"), from, to);
          return NULL;
        }
    }

  /* A fallback connection is a cycle like any other: the error path runs after the node. */
  {
    Graph graph;
    guint from_index, to_index;
    g_autofree char *cycle = NULL;

    graph_init (&graph, self);
    from_index = GPOINTER_TO_UINT (g_hash_table_lookup (graph.index_of, from)) - 1;
    to_index = GPOINTER_TO_UINT (g_hash_table_lookup (graph.index_of, to)) - 1;
    if (!graph_is_back_edge (self, &graph, from_index, to_index))
      cycle = graph_find_cycle (self, &graph, from_index, to_index);
    graph_clear (&graph);
    if (cycle != NULL)
      {
        g_set_error (error, DECA_ENGINE_ERROR, DECA_ENGINE_ERROR_INVALID,
                     _("this would make a cycle: %s"), cycle);
        return NULL;
      }
  }

  object = json_object_new ();
  json_object_set_string_member (object, "from", from);
  if (from_port != NULL && !on_error)
    json_object_set_string_member (object, "from_port", from_port);
  json_object_set_string_member (object, "to", to);
  if (to_port != NULL)
    json_object_set_string_member (object, "to_port", to_port);
  if (condition != NULL && *condition != '\0')
    json_object_set_string_member (object, "condition", condition);
  if (on_error)
    json_object_set_boolean_member (object, "on_error", TRUE);
  item = _deca_flow_connection_item_new (object, default_port_for (self, object));
  json_object_unref (object);

  edit_begin (self, _("Connect"));
  edit_list (self, OP_INSERT_CONNECTION, item, n);
  edit_end (self);
  return item;
}

gboolean
deca_flow_document_disconnect_at (DecaFlowDocument *self,
                                  guint             position)
{
  g_autoptr(DecaFlowConnectionItem) item = NULL;

  g_return_val_if_fail (DECA_IS_FLOW_DOCUMENT (self), FALSE);

  item = g_list_model_get_item (G_LIST_MODEL (self->connections), position);
  if (item == NULL)
    return FALSE;
  edit_begin (self, _("Disconnect"));
  edit_list (self, OP_REMOVE_CONNECTION, item, position);
  edit_end (self);
  return TRUE;
}

gboolean
deca_flow_document_disconnect (DecaFlowDocument       *self,
                               DecaFlowConnectionItem *connection)
{
  guint position;

  g_return_val_if_fail (DECA_IS_FLOW_DOCUMENT (self), FALSE);
  g_return_val_if_fail (DECA_IS_FLOW_CONNECTION_ITEM (connection), FALSE);

  if (!g_list_store_find (self->connections, connection, &position))
    return FALSE;
  return deca_flow_document_disconnect_at (self, position);
}

gboolean
deca_flow_document_set_connection_condition (DecaFlowDocument       *self,
                                             DecaFlowConnectionItem *connection,
                                             const char             *condition)
{
  JsonObject *object;

  g_return_val_if_fail (DECA_IS_FLOW_DOCUMENT (self), FALSE);
  g_return_val_if_fail (DECA_IS_FLOW_CONNECTION_ITEM (connection), FALSE);

  if (condition != NULL && *condition == '\0')
    condition = NULL;
  object = _deca_flow_connection_item_peek_object (connection);
  if (g_strcmp0 (condition, deca_json_object_get_string (object, "condition")) == 0)
    return TRUE;
  if (!g_list_store_find (self->connections, connection, NULL))
    return FALSE;
  edit_begin (self, _("Edit condition"));
  edit_set_connection (self, connection, object_with_string (object, "condition", condition));
  edit_end (self);
  return TRUE;
}

/* ---- clipboard -------------------------------------------------------------------------- */

char *
deca_flow_document_copy_nodes (DecaFlowDocument   *self,
                               const char * const *ids)
{
  g_autoptr(GHashTable) chosen = g_hash_table_new (g_str_hash, g_str_equal);
  g_autoptr(JsonNode) fragment = NULL;
  JsonObject *root = json_object_new ();
  JsonArray *nodes = json_array_new ();
  JsonArray *connections = json_array_new ();
  guint n;

  g_return_val_if_fail (DECA_IS_FLOW_DOCUMENT (self), NULL);
  g_return_val_if_fail (ids != NULL, NULL);

  for (guint i = 0; ids[i] != NULL; i++)
    g_hash_table_add (chosen, (gpointer) ids[i]);

  n = g_list_model_get_n_items (G_LIST_MODEL (self->nodes));
  for (guint i = 0; i < n; i++)
    {
      g_autoptr(DecaFlowNodeItem) item = g_list_model_get_item (G_LIST_MODEL (self->nodes), i);

      if (g_hash_table_contains (chosen, deca_flow_node_item_get_id (item)))
        json_array_add_object_element (nodes, json_object_ref (_deca_flow_node_item_peek_object (item)));
    }
  n = g_list_model_get_n_items (G_LIST_MODEL (self->connections));
  for (guint i = 0; i < n; i++)
    {
      g_autoptr(DecaFlowConnectionItem) item = g_list_model_get_item (G_LIST_MODEL (self->connections), i);

      if (g_hash_table_contains (chosen, deca_flow_connection_item_get_from (item)) &&
          g_hash_table_contains (chosen, deca_flow_connection_item_get_to (item)))
        json_array_add_object_element (connections, json_object_ref (_deca_flow_connection_item_peek_object (item)));
    }
  json_object_set_array_member (root, "nodes", nodes);
  json_object_set_array_member (root, "connections", connections);
  fragment = node_new_object (root);
  return deca_json_to_string (fragment, TRUE);
}

static gboolean
paste_error (GError     **error,
             const char  *pointer,
             const char  *message)
{
  if (*pointer != '\0')
    /* Translators: the first %s is a JSON pointer such as /nodes/2, the second says what
     * is wrong there */
    g_set_error (error, DECA_ENGINE_ERROR, DECA_ENGINE_ERROR_PARSE,
                 _("the pasted text is not a flow fragment: %s: %s"), pointer, message);
  else
    g_set_error (error, DECA_ENGINE_ERROR, DECA_ENGINE_ERROR_PARSE,
                 _("the pasted text is not a flow fragment: %s"), message);
  return FALSE;
}

/* Checks that @root is a fragment: {"nodes": [objects with unique string id and type],
 * "connections": [objects whose from and to are among those nodes]}. */
static gboolean
check_fragment (JsonNode  *root,
                GError   **error)
{
  g_autoptr(GHashTable) ids = g_hash_table_new (g_str_hash, g_str_equal);
  JsonObject *object;
  JsonNode *nodes, *connections;

  if (!JSON_NODE_HOLDS_OBJECT (root))
    return paste_error (error, "", _("it must be a JSON object with a \"nodes\" array"));
  object = json_node_get_object (root);
  nodes = json_object_get_member (object, "nodes");
  if (nodes == NULL || !JSON_NODE_HOLDS_ARRAY (nodes))
    return paste_error (error, "/nodes", _("a \"nodes\" array is required"));
  if (json_array_get_length (json_node_get_array (nodes)) == 0)
    return paste_error (error, "/nodes", _("there are no nodes"));
  for (guint i = 0; i < json_array_get_length (json_node_get_array (nodes)); i++)
    {
      JsonNode *element = json_array_get_element (json_node_get_array (nodes), i);
      g_autofree char *pointer = g_strdup_printf ("/nodes/%u", i);
      const char *id;

      if (!JSON_NODE_HOLDS_OBJECT (element))
        return paste_error (error, pointer, _("a node must be an object"));
      id = deca_json_object_get_string (json_node_get_object (element), "id");
      if (id == NULL || *id == '\0')
        return paste_error (error, pointer, _("a node needs a string \"id\""));
      if (deca_json_object_get_string (json_node_get_object (element), "type") == NULL)
        return paste_error (error, pointer, _("a node needs a string \"type\""));
      if (!g_hash_table_add (ids, (gpointer) id))
        return paste_error (error, pointer, _("two nodes have the same id"));
    }

  connections = json_object_get_member (object, "connections");
  if (connections == NULL || JSON_NODE_HOLDS_NULL (connections))
    return TRUE;
  if (!JSON_NODE_HOLDS_ARRAY (connections))
    return paste_error (error, "/connections", _("\"connections\" must be an array"));
  for (guint i = 0; i < json_array_get_length (json_node_get_array (connections)); i++)
    {
      JsonNode *element = json_array_get_element (json_node_get_array (connections), i);
      g_autofree char *pointer = g_strdup_printf ("/connections/%u", i);
      const char *from, *to;

      if (!JSON_NODE_HOLDS_OBJECT (element))
        return paste_error (error, pointer, _("a connection must be an object"));
      from = deca_json_object_get_string (json_node_get_object (element), "from");
      to = deca_json_object_get_string (json_node_get_object (element), "to");
      if (from == NULL || !g_hash_table_contains (ids, from))
        return paste_error (error, pointer, _("\"from\" must name a pasted node"));
      if (to == NULL || !g_hash_table_contains (ids, to))
        return paste_error (error, pointer, _("\"to\" must name a pasted node"));
    }
  return TRUE;
}

GStrv
deca_flow_document_paste (DecaFlowDocument  *self,
                          const char        *text,
                          double             dx,
                          double             dy,
                          GError           **error)
{
  g_autoptr(JsonNode) root = NULL;
  g_autoptr(GHashTable) renames = NULL;
  g_autoptr(GHashTable) taken = NULL;
  g_autoptr(GStrvBuilder) new_ids = NULL;
  g_autofree char *label = NULL;
  JsonArray *nodes;
  JsonNode *connections;
  guint n_nodes;

  g_return_val_if_fail (DECA_IS_FLOW_DOCUMENT (self), NULL);
  g_return_val_if_fail (text != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  root = deca_json_parse (text, -1, error);
  if (root == NULL || !check_fragment (root, error))
    return NULL;

  /* Every pasted node is renamed where its id is taken, and references between pasted
   * nodes follow; a reference to a node outside the fragment stays as it is. */
  nodes = json_object_get_array_member (json_node_get_object (root), "nodes");
  renames = g_hash_table_new_full (g_str_hash, g_str_equal, NULL, g_free);
  taken = g_hash_table_new (g_str_hash, g_str_equal);
  n_nodes = json_array_get_length (nodes);
  for (guint i = 0; i < n_nodes; i++)
    {
      const char *id = deca_json_object_get_string (json_array_get_object_element (nodes, i), "id");
      char *new_id;

      if (deca_flow_node_id_is_valid (id) && !id_taken (self, id, taken))
        new_id = g_strdup (id);
      else
        new_id = fresh_id (self, id, taken);
      g_hash_table_insert (renames, (gpointer) id, new_id);
      g_hash_table_add (taken, new_id);
    }

  label = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "Paste node", "Paste %u nodes", n_nodes),
                           n_nodes);
  edit_begin (self, label);
  new_ids = g_strv_builder_new ();
  for (guint i = 0; i < n_nodes; i++)
    {
      JsonObject *object = json_array_get_object_element (nodes, i);
      const char *id = deca_json_object_get_string (object, "id");
      g_autoptr(JsonObject) renamed = object_with_string (object, "id", g_hash_table_lookup (renames, id));
      g_autoptr(JsonObject) rewritten = rewrite_node (self, renamed, renames);
      g_autoptr(JsonObject) placed = NULL;
      g_autoptr(DecaFlowNodeItem) item = NULL;
      JsonObject *final = rewritten != NULL ? rewritten : renamed;
      double x, y;

      if (deca_json_object_get_number (deca_json_object_get_object (final, "position"), "x", &x) &&
          deca_json_object_get_number (deca_json_object_get_object (final, "position"), "y", &y))
        final = placed = object_with_position (final, x + dx, y + dy);
      item = _deca_flow_node_item_new (final);
      edit_list (self, OP_INSERT_NODE, item, g_list_model_get_n_items (G_LIST_MODEL (self->nodes)));
      g_strv_builder_add (new_ids, deca_flow_node_item_get_id (item));
    }

  connections = json_object_get_member (json_node_get_object (root), "connections");
  for (guint i = 0; connections != NULL && JSON_NODE_HOLDS_ARRAY (connections) &&
                    i < json_array_get_length (json_node_get_array (connections)); i++)
    {
      JsonObject *object = json_array_get_object_element (json_node_get_array (connections), i);
      g_autoptr(JsonObject) rewritten = rewrite_connection (object, renames);
      JsonObject *final = rewritten != NULL ? rewritten : object;
      g_autoptr(DecaFlowConnectionItem) item =
        _deca_flow_connection_item_new (final, default_port_for (self, final));

      edit_list (self, OP_INSERT_CONNECTION, item, g_list_model_get_n_items (G_LIST_MODEL (self->connections)));
    }
  edit_end (self);

  return g_strv_builder_end (new_ids);
}

/* ---- history ---------------------------------------------------------------------------- */

gboolean
deca_flow_document_can_undo (DecaFlowDocument *self)
{
  g_return_val_if_fail (DECA_IS_FLOW_DOCUMENT (self), FALSE);

  return self->undo_stack->len > 0;
}

gboolean
deca_flow_document_can_redo (DecaFlowDocument *self)
{
  g_return_val_if_fail (DECA_IS_FLOW_DOCUMENT (self), FALSE);

  return self->redo_stack->len > 0;
}

const char *
deca_flow_document_get_undo_label (DecaFlowDocument *self)
{
  Group *group;

  g_return_val_if_fail (DECA_IS_FLOW_DOCUMENT (self), NULL);

  group = top_group (self->undo_stack);
  return group != NULL ? group->label : NULL;
}

const char *
deca_flow_document_get_redo_label (DecaFlowDocument *self)
{
  Group *group;

  g_return_val_if_fail (DECA_IS_FLOW_DOCUMENT (self), NULL);

  group = top_group (self->redo_stack);
  return group != NULL ? group->label : NULL;
}

gboolean
deca_flow_document_undo (DecaFlowDocument *self)
{
  Group *group;

  g_return_val_if_fail (DECA_IS_FLOW_DOCUMENT (self), FALSE);

  /* An open group is an edit in progress (a drag); it has to end first. */
  if (self->group_depth > 0 || !deca_flow_document_can_undo (self))
    return FALSE;
  group = g_ptr_array_steal_index (self->undo_stack, self->undo_stack->len - 1);
  for (guint i = group->ops->len; i > 0; i--)
    op_apply (self, group->ops->pdata[i - 1], FALSE);
  g_ptr_array_add (self->redo_stack, group);
  problems_changed (self);
  update_history (self);
  return TRUE;
}

gboolean
deca_flow_document_redo (DecaFlowDocument *self)
{
  Group *group;

  g_return_val_if_fail (DECA_IS_FLOW_DOCUMENT (self), FALSE);

  if (self->group_depth > 0 || !deca_flow_document_can_redo (self))
    return FALSE;
  group = g_ptr_array_steal_index (self->redo_stack, self->redo_stack->len - 1);
  for (guint i = 0; i < group->ops->len; i++)
    op_apply (self, group->ops->pdata[i], TRUE);
  g_ptr_array_add (self->undo_stack, group);
  problems_changed (self);
  update_history (self);
  return TRUE;
}

void
deca_flow_document_clear_history (DecaFlowDocument *self)
{
  gboolean modified;

  g_return_if_fail (DECA_IS_FLOW_DOCUMENT (self));
  g_return_if_fail (self->group_depth == 0);

  modified = compute_modified (self);
  g_ptr_array_set_size (self->undo_stack, 0);
  g_ptr_array_set_size (self->redo_stack, 0);
  /* With no history the saved state can only be "now" (0) or unreachable. */
  self->saved_serial = modified ? G_MAXUINT64 : 0;
  update_history (self);
}

gboolean
deca_flow_document_get_modified (DecaFlowDocument *self)
{
  g_return_val_if_fail (DECA_IS_FLOW_DOCUMENT (self), FALSE);

  return compute_modified (self);
}

void
deca_flow_document_mark_saved (DecaFlowDocument *self)
{
  Group *top;

  g_return_if_fail (DECA_IS_FLOW_DOCUMENT (self));

  top = top_group (self->undo_stack);
  self->saved_serial = top != NULL ? top->serial : 0;
  update_history (self);
}
