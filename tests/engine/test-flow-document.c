/* test-flow-document.c: DecaFlowDocument, the editable model the studio's canvas draws —
 * round trips, every edit with undo and redo, grouping, the connect refusals, the
 * clipboard, the lazily recomputed problems, and a big document. */

#include <string.h>

#include "deca-engine.h"
#include "deca-json.h"

static DecaNodeRegistry *registry;

/* ---- helpers -------------------------------------------------------------------------- */

typedef struct {
  guint calls;
  guint removed;
  guint added;
} Changes;

static void
items_changed_cb (GListModel *model,
                  guint       position,
                  guint       removed,
                  guint       added,
                  Changes    *changes)
{
  changes->calls++;
  changes->removed += removed;
  changes->added += added;
}

static void
count_notify_cb (GObject    *object,
                 GParamSpec *pspec,
                 guint      *count)
{
  (*count)++;
}

static DecaFlowDocument *
load (const char *text)
{
  g_autoptr(GError) error = NULL;
  DecaFlowDocument *document = deca_flow_document_new_from_data (registry, text, -1, &error);

  g_assert_no_error (error);
  g_assert_nonnull (document);
  return document;
}

/* The ids of the node list, joined by spaces. */
static char *
node_ids (DecaFlowDocument *document)
{
  GListModel *nodes = deca_flow_document_get_nodes (document);
  GString *out = g_string_new (NULL);

  for (guint i = 0; i < g_list_model_get_n_items (nodes); i++)
    {
      g_autoptr(DecaFlowNodeItem) item = g_list_model_get_item (nodes, i);

      g_string_append_printf (out, "%s%s", i > 0 ? " " : "", deca_flow_node_item_get_id (item));
    }
  return g_string_free (out, FALSE);
}

/* The connections as "a>b" (with ":port" when not the default), joined by spaces. */
static char *
connection_list (DecaFlowDocument *document)
{
  GListModel *connections = deca_flow_document_get_connections (document);
  GString *out = g_string_new (NULL);

  for (guint i = 0; i < g_list_model_get_n_items (connections); i++)
    {
      g_autoptr(DecaFlowConnectionItem) item = g_list_model_get_item (connections, i);

      g_string_append_printf (out, "%s%s>%s", i > 0 ? " " : "",
                              deca_flow_connection_item_get_from (item),
                              deca_flow_connection_item_get_to (item));
    }
  return g_string_free (out, FALSE);
}

static char *
config_string (DecaFlowDocument *document,
               const char       *id,
               const char       *pointer)
{
  DecaFlowNodeItem *item = deca_flow_document_lookup_node (document, id);
  g_autoptr(JsonObject) config = NULL;
  g_autoptr(JsonNode) root = NULL;
  g_autoptr(JsonPath) path = json_path_new ();
  g_autoptr(JsonNode) result = NULL;
  JsonArray *matches;

  g_assert_nonnull (item);
  config = deca_flow_node_item_get_config (item);
  root = json_node_init_object (json_node_alloc (), config);
  g_assert_true (json_path_compile (path, pointer, NULL));
  result = json_path_match (path, root);
  matches = json_node_get_array (result);
  if (json_array_get_length (matches) == 0)
    return NULL;
  return g_strdup (json_node_get_string (json_array_get_element (matches, 0)));
}

static gboolean
has_problem (GPtrArray  *problems,
             const char *pointer,
             const char *message_part)
{
  for (guint i = 0; i < problems->len; i++)
    {
      DecaValidationProblem *problem = problems->pdata[i];

      if (g_str_equal (problem->pointer, pointer) &&
          (message_part == NULL || strstr (problem->message, message_part) != NULL))
        return TRUE;
    }
  return FALSE;
}

static const char *chain_flow =
  "{\"id\": \"chain\", \"name\": \"Chain\", \"x-top\": [1, {\"k\": null}],"
  " \"nodes\": ["
  "  {\"id\": \"a\", \"type\": \"log\", \"config\": {\"message\": \"a\"}, \"position\": {\"x\": 0, \"y\": 0}, \"x-color\": \"red\"},"
  "  {\"id\": \"b\", \"type\": \"log\", \"config\": {\"message\": \"{{a.x}}\"}, \"position\": {\"x\": 100, \"y\": 0}},"
  "  {\"id\": \"c\", \"type\": \"log\", \"config\": {\"message\": \"c\"}, \"position\": {\"x\": 200, \"y\": 0}}"
  " ],"
  " \"connections\": ["
  "  {\"from\": \"a\", \"to\": \"b\", \"x-label\": \"first\"},"
  "  {\"from\": \"b\", \"to\": \"c\"},"
  "  {\"from\": \"a\", \"to\": \"c\"}"
  " ]}";

/* ---- round trips ---------------------------------------------------------------------- */

static void
test_round_trip_examples (void)
{
  const char *source = g_getenv ("DECA_SOURCE_DIR");
  g_autofree char *dir_path = g_build_filename (source != NULL ? source : ".", "data", "examples", NULL);
  g_autoptr(GDir) dir = g_dir_open (dir_path, 0, NULL);
  const char *name;
  guint n = 0;

  g_assert_nonnull (dir);
  while ((name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *path = g_build_filename (dir_path, name, NULL);
      g_autofree char *text = NULL;
      g_autoptr(GError) error = NULL;
      g_autoptr(JsonNode) original = NULL;
      g_autoptr(JsonNode) saved = NULL;
      g_autoptr(JsonNode) reparsed = NULL;
      g_autofree char *data = NULL;
      g_autoptr(DecaFlow) flow = NULL;
      DecaFlowDocument *document, *from_flow;

      if (!g_str_has_suffix (name, ".json") || g_str_has_suffix (name, ".input.json"))
        continue;
      g_test_message ("%s", name);
      g_assert_true (g_file_get_contents (path, &text, NULL, NULL));
      original = deca_json_parse (text, -1, &error);
      g_assert_no_error (error);

      document = load (text);
      saved = deca_flow_document_to_json (document);
      g_assert_true (json_node_equal (original, saved));
      data = deca_flow_document_to_data (document, NULL);
      reparsed = deca_json_parse (data, -1, &error);
      g_assert_no_error (error);
      g_assert_true (json_node_equal (original, reparsed));
      g_assert_false (deca_flow_document_get_modified (document));
      g_assert_cmpuint (deca_flow_document_get_problems (document)->len, ==, 0);

      flow = deca_flow_new_from_data (text, -1, &error);
      g_assert_no_error (error);
      from_flow = deca_flow_document_new_from_flow (registry, flow, &error);
      g_assert_no_error (error);
      g_clear_pointer (&saved, json_node_unref);
      saved = deca_flow_document_to_json (from_flow);
      g_assert_true (json_node_equal (original, saved));

      g_assert_finalize_object (document);
      g_assert_finalize_object (from_flow);
      n++;
    }
  g_assert_cmpuint (n, >=, 4);
}

static void
test_round_trip_unknown_fields_after_edit (void)
{
  DecaFlowDocument *document = load (chain_flow);
  const char *ids[] = { "a", NULL };
  g_autoptr(JsonNode) saved = NULL;
  JsonObject *root, *node, *connection;

  g_assert_true (deca_flow_document_move_nodes (document, ids, 5, 5));
  saved = deca_flow_document_to_json (document);
  root = json_node_get_object (saved);
  g_assert_true (json_object_has_member (root, "x-top"));
  node = json_array_get_object_element (json_object_get_array_member (root, "nodes"), 0);
  g_assert_cmpstr (json_object_get_string_member (node, "x-color"), ==, "red");
  g_assert_cmpfloat (json_object_get_double_member (json_object_get_object_member (node, "position"), "x"), ==, 5);
  connection = json_array_get_object_element (json_object_get_array_member (root, "connections"), 0);
  g_assert_cmpstr (json_object_get_string_member (connection, "x-label"), ==, "first");
  g_assert_finalize_object (document);
}

static void
test_load_errors (void)
{
  static const struct {
    const char *text;
    const char *message;
  } cases[] = {
    { "{\"id\": \"x\",", "line 1, column" },
    { "[]", "a flow must be a JSON object, not an array" },
    { "{\"id\": \"x\"}", "/nodes: a flow needs a \"nodes\" array" },
    { "{\"nodes\": [{\"id\": \"a\", \"type\": \"log\"}, {\"id\": \"a\", \"type\": \"log\"}]}", "/nodes/1: duplicate node id 'a'" },
    { "{\"nodes\": [{\"id\": \"a\", \"type\": \"log\"}], \"connections\": [{\"from\": \"a\", \"to\": \"z\"}]}", "/connections/0: \"to\" must name a node" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(DecaFlowDocument) document = deca_flow_document_new_from_data (registry, cases[i].text, -1, &error);

      g_assert_null (document);
      g_assert_error (error, DECA_ENGINE_ERROR, DECA_ENGINE_ERROR_PARSE);
      g_test_message ("%s", error->message);
      g_assert_nonnull (strstr (error->message, cases[i].message));
    }
}

/* ---- node edits ----------------------------------------------------------------------- */

static void
test_new_and_add (void)
{
  DecaFlowDocument *document = deca_flow_document_new (registry);
  GListModel *nodes = deca_flow_document_get_nodes (document);
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonObject) config = NULL;
  g_autofree char *ids = NULL;
  Changes changes = { 0 };
  DecaFlowNodeItem *http, *http2, *loop;

  g_assert_nonnull (deca_flow_document_get_id (document));
  g_assert_cmpstr (deca_flow_document_get_name (document), ==, "Untitled flow");
  g_assert_false (deca_flow_document_can_undo (document));
  g_assert_false (deca_flow_document_get_modified (document));
  g_signal_connect (nodes, "items-changed", G_CALLBACK (items_changed_cb), &changes);

  http = deca_flow_document_add_node (document, "http", 10, 20, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (deca_flow_node_item_get_id (http), ==, "http");
  g_assert_cmpstr (deca_flow_node_item_get_node_type (http), ==, "http");
  g_assert_cmpfloat (deca_flow_node_item_get_x (http), ==, 10);
  g_assert_cmpfloat (deca_flow_node_item_get_y (http), ==, 20);
  g_assert_true (deca_flow_node_item_get_has_position (http));
  /* Config defaults come from the schema's "default"s. */
  config = deca_flow_node_item_get_config (http);
  g_assert_cmpstr (json_object_get_string_member (config, "method"), ==, "GET");
  g_assert_cmpfloat (json_object_get_double_member (config, "timeout"), ==, 30);
  g_assert_true (json_object_get_boolean_member (config, "follow_redirects"));
  g_assert_false (json_object_has_member (config, "url"));
  /* The copy is the caller's: changing it changes nothing in the document. */
  json_object_set_string_member (config, "url", "https://example.com");
  g_clear_pointer (&config, json_object_unref);
  config = deca_flow_node_item_get_config (http);
  g_assert_false (json_object_has_member (config, "url"));

  http2 = deca_flow_document_add_node (document, "http", 0, 0, &error);
  g_assert_cmpstr (deca_flow_node_item_get_id (http2), ==, "http-2");
  /* "loop" is a reserved id, so a loop node starts at loop-2. */
  loop = deca_flow_document_add_node (document, "loop", 0, 0, &error);
  g_assert_cmpstr (deca_flow_node_item_get_id (loop), ==, "loop-2");
  g_assert_cmpuint (changes.calls, ==, 3);
  g_assert_cmpstr (deca_flow_document_get_undo_label (document), ==, "Add node");

  g_assert_null (deca_flow_document_add_node (document, "htpp", 0, 0, &error));
  g_assert_error (error, DECA_ENGINE_ERROR, DECA_ENGINE_ERROR_NOT_FOUND);
  g_assert_cmpstr (error->message, ==, "unknown node type 'htpp'");

  g_object_ref (http2);
  g_assert_true (deca_flow_document_undo (document));
  g_assert_true (deca_flow_document_undo (document));
  ids = node_ids (document);
  g_assert_cmpstr (ids, ==, "http");
  g_assert_cmpuint (changes.calls, ==, 5);
  g_assert_true (deca_flow_document_can_redo (document));
  g_assert_cmpstr (deca_flow_document_get_redo_label (document), ==, "Add node");
  g_assert_true (deca_flow_document_redo (document));
  /* The same item comes back, not a new one. */
  g_assert_true (deca_flow_document_lookup_node (document, "http-2") == http2);
  g_object_unref (http2);
  g_clear_pointer (&ids, g_free);
  ids = node_ids (document);
  g_assert_cmpstr (ids, ==, "http http-2");

  /* A new edit after an undo drops the redo. */
  g_assert_nonnull (deca_flow_document_add_node (document, "log", 0, 0, NULL));
  g_assert_false (deca_flow_document_can_redo (document));

  g_signal_handlers_disconnect_by_data (nodes, &changes);
  g_assert_finalize_object (document);
}

static void
test_remove (void)
{
  DecaFlowDocument *document = load (chain_flow);
  GListModel *nodes = deca_flow_document_get_nodes (document);
  GListModel *connections = deca_flow_document_get_connections (document);
  const char *ids[] = { "b", "ghost", NULL };
  const char *all[] = { "a", "c", NULL };
  Changes node_changes = { 0 }, connection_changes = { 0 };
  g_autoptr(DecaFlowNodeItem) b = g_object_ref (deca_flow_document_lookup_node (document, "b"));
  g_autofree char *text = NULL;

  g_signal_connect (nodes, "items-changed", G_CALLBACK (items_changed_cb), &node_changes);
  g_signal_connect (connections, "items-changed", G_CALLBACK (items_changed_cb), &connection_changes);

  g_assert_true (deca_flow_document_remove_nodes (document, ids));
  text = node_ids (document);
  g_assert_cmpstr (text, ==, "a c");
  g_clear_pointer (&text, g_free);
  text = connection_list (document);
  g_assert_cmpstr (text, ==, "a>c");
  g_clear_pointer (&text, g_free);
  g_assert_cmpuint (node_changes.calls, ==, 1);
  g_assert_cmpuint (node_changes.removed, ==, 1);
  g_assert_cmpuint (connection_changes.calls, ==, 2);
  g_assert_cmpuint (connection_changes.removed, ==, 2);
  g_assert_cmpstr (deca_flow_document_get_undo_label (document), ==, "Delete node");
  g_assert_null (deca_flow_document_lookup_node (document, "b"));

  /* Undo puts everything back where it was, as the same items. */
  g_assert_true (deca_flow_document_undo (document));
  text = node_ids (document);
  g_assert_cmpstr (text, ==, "a b c");
  g_clear_pointer (&text, g_free);
  text = connection_list (document);
  g_assert_cmpstr (text, ==, "a>b b>c a>c");
  g_clear_pointer (&text, g_free);
  g_assert_true (deca_flow_document_lookup_node (document, "b") == b);
  g_assert_cmpuint (node_changes.added, ==, 1);
  g_assert_cmpuint (connection_changes.added, ==, 2);

  g_assert_true (deca_flow_document_redo (document));
  text = connection_list (document);
  g_assert_cmpstr (text, ==, "a>c");
  g_clear_pointer (&text, g_free);
  g_assert_true (deca_flow_document_undo (document));

  /* Removing several: one undo step, labelled with the count. */
  g_assert_true (deca_flow_document_remove_nodes (document, all));
  g_assert_cmpstr (deca_flow_document_get_undo_label (document), ==, "Delete 2 nodes");
  text = node_ids (document);
  g_assert_cmpstr (text, ==, "b");
  g_clear_pointer (&text, g_free);
  g_assert_cmpuint (g_list_model_get_n_items (connections), ==, 0);
  g_assert_true (deca_flow_document_undo (document));
  text = node_ids (document);
  g_assert_cmpstr (text, ==, "a b c");
  g_clear_pointer (&text, g_free);
  text = connection_list (document);
  g_assert_cmpstr (text, ==, "a>b b>c a>c");

  {
    const char *none[] = { "ghost", NULL };

    g_assert_false (deca_flow_document_remove_nodes (document, none));
  }

  g_signal_handlers_disconnect_by_data (nodes, &node_changes);
  g_signal_handlers_disconnect_by_data (connections, &connection_changes);
  g_assert_finalize_object (document);
}

static void
test_move (void)
{
  DecaFlowDocument *document = load (chain_flow);
  const char *ids[] = { "a", "b", NULL };
  DecaFlowNodeItem *a = deca_flow_document_lookup_node (document, "a");
  DecaFlowNodeItem *b = deca_flow_document_lookup_node (document, "b");
  guint x_notifies = 0, y_notifies = 0;

  g_signal_connect (a, "notify::x", G_CALLBACK (count_notify_cb), &x_notifies);
  g_signal_connect (a, "notify::y", G_CALLBACK (count_notify_cb), &y_notifies);

  g_assert_true (deca_flow_document_move_nodes (document, ids, 10, 0));
  g_assert_cmpfloat (deca_flow_node_item_get_x (a), ==, 10);
  g_assert_cmpfloat (deca_flow_node_item_get_x (b), ==, 110);
  g_assert_cmpuint (x_notifies, ==, 1);
  g_assert_cmpuint (y_notifies, ==, 0);
  g_assert_cmpstr (deca_flow_document_get_undo_label (document), ==, "Move 2 nodes");

  /* Outside a group, two moves are two steps. */
  g_assert_true (deca_flow_document_move_nodes (document, ids, 5, 5));
  g_assert_true (deca_flow_document_undo (document));
  g_assert_cmpfloat (deca_flow_node_item_get_x (a), ==, 10);
  g_assert_cmpfloat (deca_flow_node_item_get_y (a), ==, 0);
  g_assert_true (deca_flow_document_undo (document));
  g_assert_cmpfloat (deca_flow_node_item_get_x (a), ==, 0);
  g_assert_false (deca_flow_document_can_undo (document));

  /* A drag in a group: many moves merge into one step; the grid snaps the total. */
  deca_flow_document_set_grid_size (document, 10);
  deca_flow_document_begin_group (document, "Drag");
  for (guint i = 0; i < 3; i++)
    g_assert_true (deca_flow_document_move_nodes (document, ids, 7, 2));
  /* Undo waits for the drag to end. */
  g_assert_false (deca_flow_document_undo (document));
  g_assert_true (deca_flow_document_get_modified (document));
  deca_flow_document_end_group (document);
  g_assert_cmpfloat (deca_flow_node_item_get_x (a), ==, 20);
  g_assert_cmpfloat (deca_flow_node_item_get_y (a), ==, 10);
  g_assert_cmpfloat (deca_flow_node_item_get_x (b), ==, 120);
  g_assert_cmpstr (deca_flow_document_get_undo_label (document), ==, "Drag");
  g_assert_true (deca_flow_document_undo (document));
  g_assert_false (deca_flow_document_can_undo (document));
  g_assert_cmpfloat (deca_flow_node_item_get_x (a), ==, 0);
  g_assert_cmpfloat (deca_flow_node_item_get_x (b), ==, 100);
  g_assert_true (deca_flow_document_redo (document));
  g_assert_cmpfloat (deca_flow_node_item_get_x (b), ==, 120);

  /* A drag that ends where it started leaves no step. */
  deca_flow_document_begin_group (document, "Drag");
  g_assert_true (deca_flow_document_move_nodes (document, ids, 30, 0));
  g_assert_true (deca_flow_document_move_nodes (document, ids, -30, 0));
  deca_flow_document_end_group (document);
  g_assert_cmpstr (deca_flow_document_get_undo_label (document), ==, "Drag");
  g_assert_true (deca_flow_document_undo (document));
  g_assert_false (deca_flow_document_can_undo (document));

  /* set_node_position is a move too. */
  deca_flow_document_set_grid_size (document, 0);
  g_assert_true (deca_flow_document_set_node_position (document, "c", 3.5, -4));
  g_assert_cmpfloat (deca_flow_node_item_get_x (deca_flow_document_lookup_node (document, "c")), ==, 3.5);
  g_assert_cmpstr (deca_flow_document_get_undo_label (document), ==, "Move node");

  g_signal_handlers_disconnect_by_data (a, &x_notifies);
  g_signal_handlers_disconnect_by_data (a, &y_notifies);
  g_assert_finalize_object (document);
}

static void
test_group (void)
{
  DecaFlowDocument *document = deca_flow_document_new (registry);
  guint can_undo_notifies = 0;

  g_signal_connect (document, "notify::can-undo", G_CALLBACK (count_notify_cb), &can_undo_notifies);
  deca_flow_document_begin_group (document, NULL);
  deca_flow_document_begin_group (document, "inner label is ignored");
  deca_flow_document_add_node (document, "log", 0, 0, NULL);
  deca_flow_document_end_group (document);
  deca_flow_document_add_node (document, "log", 0, 0, NULL);
  deca_flow_document_set_name (document, "Grouped");
  g_assert_false (deca_flow_document_can_undo (document));
  deca_flow_document_end_group (document);
  g_assert_true (deca_flow_document_can_undo (document));
  g_assert_cmpuint (can_undo_notifies, ==, 1);
  /* Without a group label, the first edit names the step. */
  g_assert_cmpstr (deca_flow_document_get_undo_label (document), ==, "Add node");
  g_assert_true (deca_flow_document_undo (document));
  g_assert_cmpuint (g_list_model_get_n_items (deca_flow_document_get_nodes (document)), ==, 0);
  g_assert_cmpstr (deca_flow_document_get_name (document), ==, "Untitled flow");
  g_assert_false (deca_flow_document_can_undo (document));

  /* An empty group leaves no step. */
  deca_flow_document_begin_group (document, "Nothing");
  deca_flow_document_end_group (document);
  g_assert_false (deca_flow_document_can_undo (document));

  g_signal_handlers_disconnect_by_data (document, &can_undo_notifies);
  g_assert_finalize_object (document);
}

static const char *rename_flow =
  "{\"id\": \"r\", \"name\": \"R\", \"nodes\": ["
  " {\"id\": \"fetch\", \"type\": \"http\", \"config\": {\"url\": \"https://x/{{input.id}}\"}},"
  " {\"id\": \"fetchy\", \"type\": \"log\", \"config\": {\"message\": \"m\"}},"
  " {\"id\": \"check\", \"type\": \"condition\", \"config\": {\"expression\": \"fetch.status == 200 && fetchy != null\"}},"
  " {\"id\": \"say\", \"type\": \"log\", \"config\": {\"message\": \"fetch said {{fetch.body.a}} ({{ fetch['status'] + 'fetch' }}) {{fetchy}}\"}}"
  "], \"connections\": ["
  " {\"from\": \"fetch\", \"to\": \"check\", \"condition\": \"{{fetch.ok}} === true\"},"
  " {\"from\": \"check\", \"to\": \"say\"},"
  " {\"from\": \"fetchy\", \"to\": \"say\"}"
  "]}";

static void
test_rename (void)
{
  DecaFlowDocument *document = load (rename_flow);
  DecaFlowNodeItem *fetch = deca_flow_document_lookup_node (document, "fetch");
  GListModel *connections = deca_flow_document_get_connections (document);
  g_autoptr(DecaFlowConnectionItem) first = g_list_model_get_item (connections, 0);
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) before = deca_flow_document_to_json (document);
  g_autoptr(JsonNode) after = NULL;
  g_autofree char *text = NULL;
  guint id_notifies = 0;

  g_assert_cmpuint (deca_flow_document_get_problems (document)->len, ==, 0);
  g_signal_connect (fetch, "notify::id", G_CALLBACK (count_notify_cb), &id_notifies);

  g_assert_true (deca_flow_document_rename_node (document, "fetch", "get-data", &error));
  g_assert_no_error (error);
  g_assert_cmpuint (id_notifies, ==, 1);
  g_assert_true (deca_flow_document_lookup_node (document, "get-data") == fetch);
  g_assert_null (deca_flow_document_lookup_node (document, "fetch"));
  g_assert_cmpstr (deca_flow_connection_item_get_from (first), ==, "get-data");
  /* Only root identifiers change: not "fetchy", not text, not string literals. */
  g_assert_cmpstr (deca_flow_connection_item_get_condition (first), ==, "{{get-data.ok}} === true");
  text = config_string (document, "check", "$.expression");
  g_assert_cmpstr (text, ==, "get-data.status == 200 && fetchy != null");
  g_clear_pointer (&text, g_free);
  text = config_string (document, "say", "$.message");
  g_assert_cmpstr (text, ==, "fetch said {{get-data.body.a}} ({{ get-data['status'] + 'fetch' }}) {{fetchy}}");
  g_clear_pointer (&text, g_free);
  g_assert_cmpuint (deca_flow_document_get_problems (document)->len, ==, 0);
  g_assert_cmpstr (deca_flow_document_get_undo_label (document), ==, "Rename node");

  /* Undo restores every rewritten string exactly. */
  g_assert_true (deca_flow_document_undo (document));
  after = deca_flow_document_to_json (document);
  g_assert_true (json_node_equal (before, after));
  g_assert_true (deca_flow_document_lookup_node (document, "fetch") == fetch);
  g_assert_cmpuint (id_notifies, ==, 2);
  g_assert_true (deca_flow_document_redo (document));
  g_assert_cmpstr (deca_flow_node_item_get_id (fetch), ==, "get-data");

  g_signal_handlers_disconnect_by_data (fetch, &id_notifies);
  g_assert_finalize_object (document);
}

static void
test_rename_refusals (void)
{
  static const struct {
    const char *new_id;
    int code;
    const char *message;
  } cases[] = {
    { "2nd", DECA_ENGINE_ERROR_INVALID, "'2nd' is not a valid node id: it must start with a letter or '_' and use only letters, digits, '_' and single '-' between them" },
    { "a--b", DECA_ENGINE_ERROR_INVALID, "'a--b' is not a valid node id: it must start with a letter or '_' and use only letters, digits, '_' and single '-' between them" },
    { "a-", DECA_ENGINE_ERROR_INVALID, "'a-' is not a valid node id: it must start with a letter or '_' and use only letters, digits, '_' and single '-' between them" },
    { "input", DECA_ENGINE_ERROR_INVALID, "'input' is reserved: a node with this id would shadow 'input' in expressions" },
    { "null", DECA_ENGINE_ERROR_INVALID, "'null' is reserved: a node with this id would shadow 'null' in expressions" },
    { "c", DECA_ENGINE_ERROR_INVALID, "another node already has the id 'c'" },
  };
  DecaFlowDocument *document = load (chain_flow);
  g_autoptr(GError) error = NULL;

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_assert_false (deca_flow_document_rename_node (document, "a", cases[i].new_id, &error));
      g_assert_error (error, DECA_ENGINE_ERROR, cases[i].code);
      g_assert_cmpstr (error->message, ==, cases[i].message);
      g_clear_error (&error);
    }
  g_assert_false (deca_flow_document_rename_node (document, "ghost", "x", &error));
  g_assert_error (error, DECA_ENGINE_ERROR, DECA_ENGINE_ERROR_NOT_FOUND);
  g_assert_false (deca_flow_document_can_undo (document));
  g_assert_false (deca_flow_document_get_modified (document));
  g_assert_true (deca_flow_node_id_is_valid ("_tmp"));
  g_assert_true (deca_flow_node_id_is_valid ("step-2"));
  g_assert_false (deca_flow_node_id_is_valid ("a b"));
  g_assert_finalize_object (document);
}

static void
test_config_edits (void)
{
  DecaFlowDocument *document = deca_flow_document_new (registry);
  DecaFlowNodeItem *http = deca_flow_document_add_node (document, "http", 0, 0, NULL);
  g_autoptr(JsonNode) url = json_node_init_string (json_node_alloc (), "https://example.com");
  g_autoptr(JsonNode) accept = json_node_init_string (json_node_alloc (), "application/json");
  g_autoptr(JsonObject) config = json_object_new ();
  g_autoptr(JsonObject) retry = json_object_new ();
  g_autoptr(JsonObject) got = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *text = NULL;
  guint config_notifies = 0;

  g_signal_connect (http, "notify::config", G_CALLBACK (count_notify_cb), &config_notifies);

  g_assert_true (deca_flow_document_set_node_field (document, "http", "url", url, &error));
  g_assert_no_error (error);
  text = config_string (document, "http", "$.url");
  g_assert_cmpstr (text, ==, "https://example.com");
  g_clear_pointer (&text, g_free);
  g_assert_true (deca_flow_document_set_node_field (document, "http", "/headers/Accept", accept, &error));
  text = config_string (document, "http", "$.headers.Accept");
  g_assert_cmpstr (text, ==, "application/json");
  g_clear_pointer (&text, g_free);
  g_assert_cmpuint (config_notifies, ==, 2);
  g_assert_false (deca_flow_document_set_node_field (document, "http", "/url/x", accept, &error));
  g_assert_error (error, DECA_ENGINE_ERROR, DECA_ENGINE_ERROR_INVALID);
  g_assert_cmpstr (error->message, ==, "config/url is string, not an object");
  g_clear_error (&error);
  /* NULL removes a member. */
  g_assert_true (deca_flow_document_set_node_field (document, "http", "/headers/Accept", NULL, &error));
  text = config_string (document, "http", "$.headers.Accept");
  g_assert_null (text);
  g_assert_true (deca_flow_document_undo (document));
  text = config_string (document, "http", "$.headers.Accept");
  g_assert_cmpstr (text, ==, "application/json");
  g_clear_pointer (&text, g_free);

  json_object_set_string_member (config, "url", "https://other.example");
  g_assert_true (deca_flow_document_set_node_config (document, "http", config, &error));
  got = deca_flow_node_item_get_config (http);
  g_assert_true (json_object_equal (got, config));
  g_assert_true (deca_flow_document_undo (document));
  g_clear_pointer (&got, json_object_unref);
  got = deca_flow_node_item_get_config (http);
  g_assert_true (json_object_has_member (got, "method"));

  json_object_set_int_member (retry, "max_attempts", 3);
  g_assert_true (deca_flow_document_set_node_retry (document, "http", retry, &error));
  g_clear_pointer (&got, json_object_unref);
  got = deca_flow_node_item_get_retry (http);
  g_assert_cmpint (json_object_get_int_member (got, "max_attempts"), ==, 3);
  g_assert_true (deca_flow_document_set_node_timeout (document, "http", 2.5, &error));
  g_assert_cmpfloat (deca_flow_node_item_get_timeout (http), ==, 2.5);
  g_assert_cmpstr (deca_flow_document_get_undo_label (document), ==, "Change timeout");
  g_assert_true (deca_flow_document_undo (document));
  g_assert_cmpfloat (deca_flow_node_item_get_timeout (http), ==, 0);
  g_assert_true (deca_flow_document_undo (document));
  g_clear_pointer (&got, json_object_unref);
  g_assert_null ((got = deca_flow_node_item_get_retry (http)));

  g_assert_false (deca_flow_document_set_node_timeout (document, "ghost", 1, &error));
  g_assert_error (error, DECA_ENGINE_ERROR, DECA_ENGINE_ERROR_NOT_FOUND);
  g_assert_cmpstr (error->message, ==, "there is no node 'ghost'");

  g_signal_handlers_disconnect_by_data (http, &config_notifies);
  g_assert_finalize_object (document);
}

static void
test_name_and_settings (void)
{
  DecaFlowDocument *document = deca_flow_document_new (registry);
  g_autoptr(JsonObject) settings = json_object_new ();
  g_autoptr(JsonObject) got = NULL;
  guint name_notifies = 0;

  g_signal_connect (document, "notify::name", G_CALLBACK (count_notify_cb), &name_notifies);
  deca_flow_document_set_name (document, "Orders");
  g_assert_cmpstr (deca_flow_document_get_name (document), ==, "Orders");
  deca_flow_document_set_name (document, "Orders");
  g_assert_cmpuint (name_notifies, ==, 1);
  g_object_set (document, "name", "Orders 2", NULL);
  g_assert_cmpstr (deca_flow_document_get_undo_label (document), ==, "Rename flow");
  g_assert_true (deca_flow_document_undo (document));
  g_assert_true (deca_flow_document_undo (document));
  g_assert_cmpstr (deca_flow_document_get_name (document), ==, "Untitled flow");

  json_object_set_int_member (settings, "parallelism", 2);
  deca_flow_document_set_settings (document, settings);
  got = deca_flow_document_get_settings (document);
  g_assert_cmpint (json_object_get_int_member (got, "parallelism"), ==, 2);
  g_assert_true (deca_flow_document_undo (document));
  g_clear_pointer (&got, json_object_unref);
  got = deca_flow_document_get_settings (document);
  g_assert_cmpuint (json_object_get_size (got), ==, 0);

  g_signal_handlers_disconnect_by_data (document, &name_notifies);
  g_assert_finalize_object (document);
}

/* Triggers: a deep copy out, a deep copy in, one undoable edit with notify::triggers,
 * unknown members kept, problems following what is set. */
static void
test_triggers (void)
{
  DecaFlowDocument *document = load (
    "{\"id\": \"t\", \"name\": \"T\", \"x-top\": true, \"nodes\": [],"
    " \"triggers\": [{\"type\": \"webhook\", \"path\": \"/hook\", \"x-note\": {\"keep\": 1}}]}");
  g_autoptr(JsonArray) triggers = NULL;
  g_autoptr(JsonArray) got = NULL;
  g_autoptr(JsonArray) from_property = NULL;
  g_autoptr(JsonNode) root = NULL;
  JsonObject *schedule;
  guint notifies = 0, problem_notifies = 0;

  g_signal_connect (document, "notify::triggers", G_CALLBACK (count_notify_cb), &notifies);
  g_signal_connect (document, "notify::problems", G_CALLBACK (count_notify_cb), &problem_notifies);

  /* A copy: changing it changes nothing in the document. */
  triggers = deca_flow_document_get_triggers (document);
  g_assert_cmpuint (json_array_get_length (triggers), ==, 1);
  json_object_set_string_member (json_array_get_object_element (triggers, 0), "path", "/changed");
  got = deca_flow_document_get_triggers (document);
  g_assert_cmpstr (json_object_get_string_member (json_array_get_object_element (got, 0), "path"),
                   ==, "/hook");
  g_assert_cmpint (json_object_get_int_member (json_object_get_object_member (json_array_get_object_element (got, 0), "x-note"), "keep"),
                   ==, 1);
  g_clear_pointer (&got, json_array_unref);
  g_assert_cmpuint (deca_flow_document_get_problems (document)->len, ==, 0);

  /* Set: the changed webhook, plus a schedule. */
  schedule = json_object_new ();
  json_object_set_string_member (schedule, "type", "schedule");
  json_object_set_string_member (schedule, "cron", "0 9 * * 1");
  json_array_add_object_element (triggers, schedule);
  g_assert_true (deca_flow_document_set_triggers (document, triggers));
  g_assert_cmpuint (notifies, ==, 1);
  g_assert_cmpstr (deca_flow_document_get_undo_label (document), ==, "Change triggers");
  g_assert_true (deca_flow_document_get_modified (document));
  /* The caller's array is copied: changing it afterwards does not reach the document. */
  json_object_set_string_member (schedule, "cron", "not a cron");
  got = deca_flow_document_get_triggers (document);
  g_assert_cmpuint (json_array_get_length (got), ==, 2);
  g_assert_cmpstr (json_object_get_string_member (json_array_get_object_element (got, 1), "cron"),
                   ==, "0 9 * * 1");
  g_assert_cmpstr (json_object_get_string_member (json_array_get_object_element (got, 0), "path"),
                   ==, "/changed");
  g_assert_nonnull (json_object_get_object_member (json_array_get_object_element (got, 0), "x-note"));
  g_clear_pointer (&got, json_array_unref);

  /* Setting the same again records nothing. */
  json_object_set_string_member (schedule, "cron", "0 9 * * 1");
  g_assert_false (deca_flow_document_set_triggers (document, triggers));
  g_assert_cmpuint (notifies, ==, 1);
  g_assert_true (deca_flow_document_undo (document));
  g_assert_false (deca_flow_document_can_undo (document));
  g_assert_cmpuint (notifies, ==, 2);
  got = deca_flow_document_get_triggers (document);
  g_assert_cmpuint (json_array_get_length (got), ==, 1);
  g_assert_cmpstr (json_object_get_string_member (json_array_get_object_element (got, 0), "path"),
                   ==, "/hook");
  g_clear_pointer (&got, json_array_unref);
  g_assert_false (deca_flow_document_get_modified (document));
  g_assert_true (deca_flow_document_redo (document));
  g_assert_cmpuint (notifies, ==, 3);

  /* The property reads the same copy. */
  g_object_get (document, "triggers", &from_property, NULL);
  g_assert_cmpuint (json_array_get_length (from_property), ==, 2);

  /* What the validator refuses shows up as a problem, and goes with the edit's undo. */
  json_object_set_string_member (schedule, "cron", "0 24 * * *");
  g_assert_true (deca_flow_document_set_triggers (document, triggers));
  g_assert_true (has_problem (deca_flow_document_get_problems (document), "/triggers/1/cron", "hour"));
  g_assert_cmpuint (problem_notifies, >=, 1);
  g_assert_true (deca_flow_document_undo (document));
  g_assert_false (has_problem (deca_flow_document_get_problems (document), "/triggers/1/cron", NULL));

  /* NULL removes the member; the rest of the document is as it was. */
  g_assert_true (deca_flow_document_set_triggers (document, NULL));
  g_assert_false (deca_flow_document_set_triggers (document, NULL));
  got = deca_flow_document_get_triggers (document);
  g_assert_cmpuint (json_array_get_length (got), ==, 0);
  root = deca_flow_document_to_json (document);
  g_assert_false (json_object_has_member (json_node_get_object (root), "triggers"));
  g_assert_true (json_object_get_boolean_member (json_node_get_object (root), "x-top"));
  g_clear_pointer (&root, json_node_unref);

  /* An empty array is a change from no member, and is written as []. */
  g_clear_pointer (&got, json_array_unref);
  got = json_array_new ();
  g_assert_true (deca_flow_document_set_triggers (document, got));
  root = deca_flow_document_to_json (document);
  g_assert_cmpuint (json_array_get_length (json_object_get_array_member (json_node_get_object (root), "triggers")),
                    ==, 0);

  g_signal_handlers_disconnect_by_data (document, &notifies);
  g_signal_handlers_disconnect_by_data (document, &problem_notifies);
  g_assert_finalize_object (document);
}

/* A "triggers" member that is not an array loads, reads as none, and is a problem. */
static void
test_triggers_not_array (void)
{
  DecaFlowDocument *document = load ("{\"id\": \"t\", \"name\": \"T\", \"nodes\": [], \"triggers\": \"daily\"}");
  g_autoptr(JsonArray) triggers = deca_flow_document_get_triggers (document);

  g_assert_cmpuint (json_array_get_length (triggers), ==, 0);
  g_assert_true (has_problem (deca_flow_document_get_problems (document), "/triggers", NULL));
  g_assert_true (deca_flow_document_set_triggers (document, triggers));
  g_assert_false (has_problem (deca_flow_document_get_problems (document), "/triggers", NULL));
  g_assert_finalize_object (document);
}

/* Description: a string member, set and removed as undoable edits. */
static void
test_description (void)
{
  DecaFlowDocument *document = deca_flow_document_new (registry);
  g_autoptr(JsonNode) root = NULL;
  g_autofree char *from_property = NULL;
  guint notifies = 0;

  g_assert_null (deca_flow_document_get_description (document));
  g_signal_connect (document, "notify::description", G_CALLBACK (count_notify_cb), &notifies);

  deca_flow_document_set_description (document, "Sends the “weekly” report");
  g_assert_cmpstr (deca_flow_document_get_description (document), ==, "Sends the “weekly” report");
  g_assert_cmpuint (notifies, ==, 1);
  g_assert_cmpstr (deca_flow_document_get_undo_label (document), ==, "Change description");
  deca_flow_document_set_description (document, "Sends the “weekly” report");
  g_assert_cmpuint (notifies, ==, 1);

  g_object_set (document, "description", "Second", NULL);
  g_object_get (document, "description", &from_property, NULL);
  g_assert_cmpstr (from_property, ==, "Second");
  g_assert_cmpuint (notifies, ==, 2);

  /* "" and NULL remove the member. */
  deca_flow_document_set_description (document, "");
  g_assert_null (deca_flow_document_get_description (document));
  root = deca_flow_document_to_json (document);
  g_assert_false (json_object_has_member (json_node_get_object (root), "description"));
  deca_flow_document_set_description (document, NULL);
  g_assert_cmpuint (notifies, ==, 3);

  g_assert_true (deca_flow_document_undo (document));
  g_assert_cmpstr (deca_flow_document_get_description (document), ==, "Second");
  g_assert_true (deca_flow_document_undo (document));
  g_assert_true (deca_flow_document_undo (document));
  g_assert_null (deca_flow_document_get_description (document));
  g_assert_false (deca_flow_document_can_undo (document));
  g_assert_cmpuint (notifies, ==, 6);

  g_signal_handlers_disconnect_by_data (document, &notifies);
  g_assert_finalize_object (document);
}

/* A description that is not a string reads as none and is replaced by a set. */
static void
test_description_not_string (void)
{
  DecaFlowDocument *document = load ("{\"id\": \"d\", \"name\": \"D\", \"nodes\": [], \"description\": 5}");

  g_assert_null (deca_flow_document_get_description (document));
  deca_flow_document_set_description (document, "Now a string");
  g_assert_cmpstr (deca_flow_document_get_description (document), ==, "Now a string");
  g_assert_true (deca_flow_document_undo (document));
  /* NULL removes even a member that is not a string. */
  deca_flow_document_set_description (document, NULL);
  g_assert_true (deca_flow_document_can_undo (document));
  g_assert_finalize_object (document);
}

/* The member names of @object, joined by spaces. */
static char *
member_names (JsonObject *object)
{
  GString *out = g_string_new (NULL);
  JsonObjectIter iter;
  const char *name;
  JsonNode *member;

  json_object_iter_init_ordered (&iter, object);
  while (json_object_iter_next_ordered (&iter, &name, &member))
    g_string_append_printf (out, "%s%s", out->len > 0 ? " " : "", name);
  return g_string_free (out, FALSE);
}

/* Duplicate: the text of a new flow with a fresh id and the new name, everything else
 * (unknown members, triggers, order) as in the document, which does not change. */
static void
test_dup_as_new (void)
{
  DecaFlowDocument *document = load (chain_flow);
  g_autoptr(JsonArray) triggers = json_array_new ();
  JsonObject *trigger = json_object_new ();
  g_autofree char *original_id = NULL;
  g_autofree char *text = NULL;
  g_autofree char *second = NULL;
  g_autofree char *names_before = NULL;
  g_autofree char *names_after = NULL;
  g_autoptr(JsonNode) before = NULL;
  g_autoptr(JsonNode) after = NULL;
  g_autoptr(JsonNode) second_root = NULL;
  g_autoptr(GError) error = NULL;
  DecaFlowDocument *copy;
  JsonObject *object;

  json_object_set_string_member (trigger, "type", "manual");
  json_array_add_object_element (triggers, trigger);
  g_assert_true (deca_flow_document_set_triggers (document, triggers));
  deca_flow_document_mark_saved (document);
  original_id = g_strdup (deca_flow_document_get_id (document));

  text = deca_flow_document_dup_as_new (document, "Chain (copy)");
  g_assert_nonnull (text);
  after = deca_json_parse (text, -1, &error);
  g_assert_no_error (error);
  object = json_node_get_object (after);
  g_assert_true (g_uuid_string_is_valid (json_object_get_string_member (object, "id")));
  g_assert_cmpstr (json_object_get_string_member (object, "id"), !=, original_id);
  g_assert_cmpstr (json_object_get_string_member (object, "name"), ==, "Chain (copy)");

  /* Apart from the two values it is the document, members in the same order. */
  before = deca_flow_document_to_json (document);
  names_before = member_names (json_node_get_object (before));
  names_after = member_names (object);
  g_assert_cmpstr (names_after, ==, names_before);
  json_object_set_string_member (object, "id", original_id);
  json_object_set_string_member (object, "name", "Chain");
  g_assert_true (json_node_equal (before, after));

  /* The document is untouched. */
  g_assert_cmpstr (deca_flow_document_get_id (document), ==, original_id);
  g_assert_cmpstr (deca_flow_document_get_name (document), ==, "Chain");
  g_assert_false (deca_flow_document_get_modified (document));
  g_assert_cmpstr (deca_flow_document_get_undo_label (document), ==, "Change triggers");

  /* Each duplicate gets its own id, and loads as a document of its own. */
  second = deca_flow_document_dup_as_new (document, "Chain (copy)");
  second_root = deca_json_parse (second, -1, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (json_object_get_string_member (json_node_get_object (second_root), "id"), !=,
                   json_object_get_string_member (json_node_get_object (after), "id"));
  copy = deca_flow_document_new_from_data (registry, second, -1, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (deca_flow_document_get_name (copy), ==, "Chain (copy)");
  g_assert_cmpuint (g_list_model_get_n_items (deca_flow_document_get_nodes (copy)), ==, 3);
  g_assert_cmpuint (deca_flow_document_get_problems (copy)->len, ==,
                    deca_flow_document_get_problems (document)->len);

  g_assert_finalize_object (copy);
  g_assert_finalize_object (document);
}

/* A document without an id (it loads, as a problem) gets one in its duplicate. */
static void
test_dup_as_new_without_id (void)
{
  DecaFlowDocument *document = load ("{\"name\": \"N\", \"nodes\": []}");
  g_autofree char *text = deca_flow_document_dup_as_new (document, "M");
  g_autoptr(JsonNode) root = deca_json_parse (text, -1, NULL);
  DecaFlowDocument *copy;

  g_assert_true (has_problem (deca_flow_document_get_problems (document), "/id", NULL));
  g_assert_true (g_uuid_string_is_valid (json_object_get_string_member (json_node_get_object (root), "id")));
  g_assert_cmpstr (json_object_get_string_member (json_node_get_object (root), "name"), ==, "M");
  copy = load (text);
  g_assert_false (has_problem (deca_flow_document_get_problems (copy), "/id", NULL));
  g_assert_finalize_object (copy);
  g_assert_finalize_object (document);
}

/* ---- connections ---------------------------------------------------------------------- */

static const char *graph_flow =
  "{\"id\": \"g\", \"name\": \"G\", \"nodes\": ["
  " {\"id\": \"a\", \"type\": \"log\", \"config\": {\"message\": \"a\"}},"
  " {\"id\": \"b\", \"type\": \"log\", \"config\": {\"message\": \"b\"}},"
  " {\"id\": \"c\", \"type\": \"log\", \"config\": {\"message\": \"c\"}},"
  " {\"id\": \"check\", \"type\": \"condition\", \"config\": {\"expression\": \"true\"}},"
  " {\"id\": \"each\", \"type\": \"loop\", \"config\": {\"items\": \"input.items\"}},"
  " {\"id\": \"price\", \"type\": \"transform\", \"config\": {\"set\": {\"p\": \"{{item}}\"}}},"
  " {\"id\": \"total\", \"type\": \"log\", \"config\": {\"message\": \"t\"}}"
  "], \"connections\": ["
  " {\"from\": \"a\", \"to\": \"b\"},"
  " {\"from\": \"b\", \"to\": \"c\"},"
  " {\"from\": \"each\", \"from_port\": \"body\", \"to\": \"price\"},"
  " {\"from\": \"each\", \"to\": \"total\"}"
  "]}";

static void
test_connect_refusals (void)
{
  static const struct {
    const char *from;
    const char *from_port;
    const char *to;
    gboolean on_error;
    int code;
    const char *message;
  } cases[] = {
    { "a", NULL, "a", FALSE, DECA_ENGINE_ERROR_INVALID, "a node cannot connect to itself" },
    { "check", "maybe", "a", FALSE, DECA_ENGINE_ERROR_INVALID, "'check' has no port 'maybe'; its ports are true, false" },
    { "a", NULL, "b", FALSE, DECA_ENGINE_ERROR_INVALID, "'a' is already connected to 'b'" },
    { "a", "main", "b", FALSE, DECA_ENGINE_ERROR_INVALID, "'a' is already connected to 'b'" },
    { "c", NULL, "a", FALSE, DECA_ENGINE_ERROR_INVALID, "this would make a cycle: c -> a -> b -> c" },
    { "c", NULL, "a", TRUE, DECA_ENGINE_ERROR_INVALID, "this would make a cycle: c -> a -> b -> c" },
    { "b", NULL, "a", FALSE, DECA_ENGINE_ERROR_INVALID, "this would make a cycle: b -> a -> b" },
    { "total", NULL, "each", FALSE, DECA_ENGINE_ERROR_INVALID, "this would make a cycle: total -> each -> total" },
    { "a", "body", "b", TRUE, DECA_ENGINE_ERROR_INVALID, "a fallback connection leaves from the 'error' port, not 'body'" },
    { "ghost", NULL, "a", FALSE, DECA_ENGINE_ERROR_NOT_FOUND, "there is no node 'ghost'" },
    { "a", NULL, "ghost", FALSE, DECA_ENGINE_ERROR_NOT_FOUND, "there is no node 'ghost'" },
  };
  DecaFlowDocument *document = load (graph_flow);
  Changes changes = { 0 };

  g_signal_connect (deca_flow_document_get_connections (document), "items-changed",
                    G_CALLBACK (items_changed_cb), &changes);
  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GError) error = NULL;

      g_test_message ("%s -> %s", cases[i].from, cases[i].to);
      g_assert_null (deca_flow_document_connect (document, cases[i].from, cases[i].from_port,
                                                 cases[i].to, NULL, NULL, cases[i].on_error, &error));
      g_assert_error (error, DECA_ENGINE_ERROR, cases[i].code);
      g_assert_cmpstr (error->message, ==, cases[i].message);
    }
  g_assert_cmpuint (changes.calls, ==, 0);
  g_assert_false (deca_flow_document_can_undo (document));
  g_signal_handlers_disconnect_by_data (deca_flow_document_get_connections (document), &changes);
  g_assert_finalize_object (document);
}

static void
test_connect (void)
{
  DecaFlowDocument *document = load (graph_flow);
  GListModel *connections = deca_flow_document_get_connections (document);
  g_autoptr(GError) error = NULL;
  g_autoptr(DecaFlowConnectionItem) loaded = g_list_model_get_item (connections, 3);
  DecaFlowConnectionItem *item;
  guint condition_notifies = 0;

  /* Resolved ports: the loop's default port is "done", to_port defaults to "main". */
  g_assert_cmpstr (deca_flow_connection_item_get_from_port (loaded), ==, "done");
  g_assert_false (deca_flow_connection_item_get_has_from_port (loaded));
  g_assert_cmpstr (deca_flow_connection_item_get_to_port (loaded), ==, "main");

  /* A node of a loop's body may lead back to the loop. */
  item = deca_flow_document_connect (document, "price", NULL, "each", NULL, NULL, FALSE, &error);
  g_assert_no_error (error);
  g_assert_nonnull (item);
  g_assert_cmpuint (deca_flow_document_get_problems (document)->len, ==, 0);
  g_assert_cmpstr (deca_flow_document_get_undo_label (document), ==, "Connect");

  item = deca_flow_document_connect (document, "check", "false", "c", NULL, "input.x > 1", FALSE, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (deca_flow_connection_item_get_from_port (item), ==, "false");
  g_assert_cmpstr (deca_flow_connection_item_get_condition (item), ==, "input.x > 1");
  g_assert_false (deca_flow_connection_item_get_on_error (item));

  item = deca_flow_document_connect (document, "a", NULL, "c", NULL, NULL, TRUE, &error);
  g_assert_no_error (error);
  g_assert_true (deca_flow_connection_item_get_on_error (item));
  g_assert_cmpstr (deca_flow_connection_item_get_from_port (item), ==, "error");
  g_assert_cmpuint (g_list_model_get_n_items (connections), ==, 7);

  g_signal_connect (item, "notify::condition", G_CALLBACK (count_notify_cb), &condition_notifies);
  g_assert_true (deca_flow_document_set_connection_condition (document, item, "input.ok"));
  g_assert_cmpstr (deca_flow_connection_item_get_condition (item), ==, "input.ok");
  g_assert_cmpuint (condition_notifies, ==, 1);
  g_assert_true (deca_flow_document_undo (document));
  g_assert_null (deca_flow_connection_item_get_condition (item));
  g_assert_cmpuint (condition_notifies, ==, 2);
  g_signal_handlers_disconnect_by_data (item, &condition_notifies);

  g_object_ref (item);
  g_assert_true (deca_flow_document_disconnect (document, item));
  g_assert_cmpuint (g_list_model_get_n_items (connections), ==, 6);
  g_assert_cmpstr (deca_flow_document_get_undo_label (document), ==, "Disconnect");
  g_assert_true (deca_flow_document_undo (document));
  {
    g_autoptr(DecaFlowConnectionItem) back = g_list_model_get_item (connections, 6);

    g_assert_true (back == item);
  }
  g_object_unref (item);
  g_assert_true (deca_flow_document_disconnect_at (document, 0));
  g_assert_false (deca_flow_document_disconnect_at (document, 100));
  g_assert_finalize_object (document);
}

/* ---- clipboard ------------------------------------------------------------------------ */

static void
test_copy_paste (void)
{
  DecaFlowDocument *document = load (chain_flow);
  const char *ids[] = { "a", "b", NULL };
  g_autofree char *clip = deca_flow_document_copy_nodes (document, ids);
  g_autoptr(JsonNode) fragment = NULL;
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) pasted = NULL;
  g_autofree char *text = NULL;
  Changes node_changes = { 0 };
  JsonObject *root;

  /* The clipboard is a flow fragment with the connections between copied nodes only. */
  fragment = deca_json_parse (clip, -1, &error);
  g_assert_no_error (error);
  root = json_node_get_object (fragment);
  g_assert_cmpuint (json_array_get_length (json_object_get_array_member (root, "nodes")), ==, 2);
  g_assert_cmpuint (json_array_get_length (json_object_get_array_member (root, "connections")), ==, 1);

  g_signal_connect (deca_flow_document_get_nodes (document), "items-changed",
                    G_CALLBACK (items_changed_cb), &node_changes);
  pasted = deca_flow_document_paste (document, clip, 50, 60, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (g_strv_length (pasted), ==, 2);
  g_assert_cmpstr (pasted[0], ==, "a-2");
  g_assert_cmpstr (pasted[1], ==, "b-2");
  g_assert_cmpuint (node_changes.added, ==, 2);
  text = connection_list (document);
  g_assert_cmpstr (text, ==, "a>b b>c a>c a-2>b-2");
  g_clear_pointer (&text, g_free);
  /* References between pasted nodes follow the new ids. */
  text = config_string (document, "b-2", "$.message");
  g_assert_cmpstr (text, ==, "{{a-2.x}}");
  g_clear_pointer (&text, g_free);
  g_assert_cmpfloat (deca_flow_node_item_get_x (deca_flow_document_lookup_node (document, "b-2")), ==, 150);
  g_assert_cmpfloat (deca_flow_node_item_get_y (deca_flow_document_lookup_node (document, "b-2")), ==, 60);
  g_assert_cmpstr (deca_flow_document_get_undo_label (document), ==, "Paste 2 nodes");
  g_assert_cmpuint (deca_flow_document_get_problems (document)->len, ==, 0);

  /* A second paste gets the next ids; one undo takes a whole paste away. */
  g_clear_pointer (&pasted, g_strfreev);
  pasted = deca_flow_document_paste (document, clip, 0, 0, &error);
  g_assert_cmpstr (pasted[0], ==, "a-3");
  text = config_string (document, "b-3", "$.message");
  g_assert_cmpstr (text, ==, "{{a-3.x}}");
  g_clear_pointer (&text, g_free);
  g_assert_true (deca_flow_document_undo (document));
  g_assert_true (deca_flow_document_undo (document));
  text = node_ids (document);
  g_assert_cmpstr (text, ==, "a b c");
  g_clear_pointer (&text, g_free);

  /* Into another document the ids are free and stay as they were. */
  {
    DecaFlowDocument *other = deca_flow_document_new (registry);
    g_auto(GStrv) kept = deca_flow_document_paste (other, clip, 0, 0, &error);

    g_assert_no_error (error);
    g_assert_cmpstr (kept[0], ==, "a");
    g_assert_cmpstr (kept[1], ==, "b");
    g_assert_finalize_object (other);
  }

  g_signal_handlers_disconnect_by_data (deca_flow_document_get_nodes (document), &node_changes);
  g_assert_finalize_object (document);
}

static void
test_paste_bad (void)
{
  static const struct {
    const char *text;
    const char *message;
  } cases[] = {
    { "{\"nodes\": [", "line 1, column 11: unexpected end of file" },
    { "", "the document is empty" },
    { "[1]", "the pasted text is not a flow fragment: it must be a JSON object with a \"nodes\" array" },
    { "{\"nodes\": []}", "the pasted text is not a flow fragment: /nodes: there are no nodes" },
    { "{\"nodes\": [{\"id\": \"x\"}]}", "the pasted text is not a flow fragment: /nodes/0: a node needs a string \"type\"" },
    { "{\"nodes\": [{\"id\": \"x\", \"type\": \"log\"}], \"connections\": [{\"from\": \"x\", \"to\": \"y\"}]}",
      "the pasted text is not a flow fragment: /connections/0: \"to\" must name a pasted node" },
  };
  DecaFlowDocument *document = load (chain_flow);
  g_autoptr(JsonNode) before = deca_flow_document_to_json (document);
  Changes changes = { 0 };

  g_signal_connect (deca_flow_document_get_nodes (document), "items-changed",
                    G_CALLBACK (items_changed_cb), &changes);
  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GError) error = NULL;
      g_auto(GStrv) ids = deca_flow_document_paste (document, cases[i].text, 0, 0, &error);

      g_assert_null (ids);
      g_assert_error (error, DECA_ENGINE_ERROR, DECA_ENGINE_ERROR_PARSE);
      g_test_message ("%s", error->message);
      g_assert_nonnull (strstr (error->message, cases[i].message));
    }
  g_assert_cmpuint (changes.calls, ==, 0);
  g_assert_false (deca_flow_document_can_undo (document));
  g_assert_false (deca_flow_document_get_modified (document));
  {
    g_autoptr(JsonNode) after = deca_flow_document_to_json (document);

    g_assert_true (json_node_equal (before, after));
  }
  g_signal_handlers_disconnect_by_data (deca_flow_document_get_nodes (document), &changes);
  g_assert_finalize_object (document);
}

/* ---- modified and problems ------------------------------------------------------------ */

static void
test_modified (void)
{
  DecaFlowDocument *document = deca_flow_document_new (registry);
  guint notifies = 0;

  g_signal_connect (document, "notify::modified", G_CALLBACK (count_notify_cb), &notifies);
  g_assert_false (deca_flow_document_get_modified (document));
  deca_flow_document_add_node (document, "log", 0, 0, NULL);
  g_assert_true (deca_flow_document_get_modified (document));
  g_assert_cmpuint (notifies, ==, 1);
  deca_flow_document_mark_saved (document);
  g_assert_false (deca_flow_document_get_modified (document));
  g_assert_cmpuint (notifies, ==, 2);
  g_assert_true (deca_flow_document_undo (document));
  g_assert_true (deca_flow_document_get_modified (document));
  g_assert_true (deca_flow_document_redo (document));
  g_assert_false (deca_flow_document_get_modified (document));
  /* Undo past the save, then edit: the saved state cannot come back. */
  g_assert_true (deca_flow_document_undo (document));
  deca_flow_document_set_name (document, "x");
  g_assert_true (deca_flow_document_get_modified (document));
  g_assert_true (deca_flow_document_undo (document));
  g_assert_true (deca_flow_document_get_modified (document));

  deca_flow_document_mark_saved (document);
  deca_flow_document_set_name (document, "y");
  deca_flow_document_clear_history (document);
  g_assert_false (deca_flow_document_can_undo (document));
  g_assert_true (deca_flow_document_get_modified (document));
  deca_flow_document_mark_saved (document);
  deca_flow_document_clear_history (document);
  g_assert_false (deca_flow_document_get_modified (document));

  g_signal_handlers_disconnect_by_data (document, &notifies);
  g_assert_finalize_object (document);
}

static void
test_problems (void)
{
  DecaFlowDocument *document = deca_flow_document_new (registry);
  g_autoptr(JsonNode) url = json_node_init_string (json_node_alloc (), "https://example.com");
  DecaFlowNodeItem *log, *http;
  guint doc_notifies = 0, item_notifies = 0;
  GPtrArray *problems;

  g_assert_cmpuint (deca_flow_document_get_problems (document)->len, ==, 0);
  g_signal_connect (document, "notify::problems", G_CALLBACK (count_notify_cb), &doc_notifies);

  log = deca_flow_document_add_node (document, "log", 0, 0, NULL);
  http = deca_flow_document_add_node (document, "http", 0, 0, NULL);
  g_assert_cmpuint (doc_notifies, ==, 2);
  g_signal_connect (http, "notify::problems", G_CALLBACK (count_notify_cb), &item_notifies);

  problems = deca_flow_document_get_problems (document);
  g_assert_true (has_problem (problems, "/nodes/1/config/url", "is required"));
  g_assert_true (has_problem (deca_flow_node_item_get_problems (http), "/nodes/1/config/url", "is required"));
  g_assert_cmpuint (item_notifies, ==, 1);
  g_assert_false (has_problem (deca_flow_node_item_get_problems (log), "/nodes/1/config/url", NULL));

  g_assert_true (deca_flow_document_set_node_field (document, "http", "url", url, NULL));
  g_assert_cmpuint (doc_notifies, ==, 3);
  g_assert_false (has_problem (deca_flow_document_get_problems (document), "/nodes/1/config/url", NULL));
  g_assert_cmpuint (deca_flow_node_item_get_problems (http)->len, ==, 0);
  g_assert_cmpuint (item_notifies, ==, 2);

  /* Problems follow the list positions: remove the first node and http is /nodes/0. */
  g_assert_true (deca_flow_document_undo (document));
  {
    const char *ids[] = { "log", NULL };

    g_assert_true (deca_flow_document_remove_nodes (document, ids));
  }
  g_assert_true (has_problem (deca_flow_node_item_get_problems (http), "/nodes/0/config/url", "is required"));

  /* A connection's problems are its own. */
  g_assert_true (deca_flow_document_undo (document));
  {
    g_autoptr(GError) error = NULL;
    DecaFlowConnectionItem *connection =
      deca_flow_document_connect (document, "log", NULL, "http", NULL, "{{nope.x}}", FALSE, &error);

    g_assert_no_error (error);
    g_assert_true (has_problem (deca_flow_connection_item_get_problems (connection),
                                "/connections/0/condition", "unknown reference 'nope'"));
  }

  g_signal_handlers_disconnect_by_data (document, &doc_notifies);
  g_signal_handlers_disconnect_by_data (http, &item_notifies);
  g_assert_finalize_object (document);
}

/* ---- a big document ------------------------------------------------------------------- */

static void
test_big_document (void)
{
  GString *text = g_string_new ("{\"id\": \"big\", \"name\": \"Big\", \"nodes\": [");
  g_autoptr(GError) error = NULL;
  DecaFlowDocument *document;
  const char *ids[] = { "n500", "n501", NULL };
  g_autofree char *data = NULL;
  guint n_connections = 0;

  for (guint i = 0; i < 1000; i++)
    g_string_append_printf (text, "%s{\"id\": \"n%u\", \"type\": \"log\", \"config\": "
                            "{\"message\": \"{{n%u}}\"}, \"position\": {\"x\": %u, \"y\": %u}}",
                            i > 0 ? "," : "", i, i > 0 ? i - 1 : 0, (i % 40) * 200, (i / 40) * 100);
  g_string_append (text, "], \"connections\": [");
  for (guint i = 0; i + 1 < 1000 && n_connections < 1500; i++)
    {
      g_string_append_printf (text, "%s{\"from\": \"n%u\", \"to\": \"n%u\"}", i > 0 ? "," : "", i, i + 1);
      n_connections++;
      if (i + 2 < 1000 && i % 2 == 0)
        {
          g_string_append_printf (text, ",{\"from\": \"n%u\", \"to\": \"n%u\"}", i, i + 2);
          n_connections++;
        }
    }
  g_string_append (text, ",{\"from\": \"n0\", \"to\": \"n500\"},{\"from\": \"n1\", \"to\": \"n600\"}]}");
  n_connections += 2;
  g_assert_cmpuint (n_connections, ==, 1500);

  document = deca_flow_document_new_from_data (registry, text->str, -1, &error);
  g_assert_no_error (error);
  g_string_free (text, TRUE);
  g_assert_cmpuint (g_list_model_get_n_items (deca_flow_document_get_nodes (document)), ==, 1000);
  /* n0's message references itself, which the validator accepts as a node reference. */
  g_assert_cmpuint (deca_flow_document_get_problems (document)->len, ==, 0);

  /* Each edit and its undo. */
  g_assert_true (deca_flow_document_move_nodes (document, ids, 10, 10));
  g_assert_true (deca_flow_document_undo (document));
  g_assert_nonnull (deca_flow_document_connect (document, "n0", NULL, "n999", NULL, NULL, FALSE, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (g_list_model_get_n_items (deca_flow_document_get_connections (document)), ==, 1501);
  g_assert_null (deca_flow_document_connect (document, "n999", NULL, "n0", NULL, NULL, FALSE, &error));
  g_assert_error (error, DECA_ENGINE_ERROR, DECA_ENGINE_ERROR_INVALID);
  g_clear_error (&error);
  g_assert_true (deca_flow_document_rename_node (document, "n500", "middle", &error));
  g_assert_no_error (error);
  g_assert_cmpuint (deca_flow_document_get_problems (document)->len, ==, 0);
  g_assert_true (deca_flow_document_undo (document));
  g_assert_true (deca_flow_document_remove_nodes (document, ids));
  g_assert_cmpuint (deca_flow_document_get_problems (document)->len, >, 0);
  g_assert_true (deca_flow_document_undo (document));
  g_assert_cmpuint (deca_flow_document_get_problems (document)->len, ==, 0);
  data = deca_flow_document_to_data (document, NULL);
  g_assert_nonnull (data);
  g_assert_finalize_object (document);
}

int
main (int   argc,
      char *argv[])
{
  int status;

  g_test_init (&argc, &argv, NULL);
  registry = deca_node_registry_new_builtin ();

  g_test_add_func ("/deca/engine/flow-document/round-trip/examples", test_round_trip_examples);
  g_test_add_func ("/deca/engine/flow-document/round-trip/unknown-fields", test_round_trip_unknown_fields_after_edit);
  g_test_add_func ("/deca/engine/flow-document/load-errors", test_load_errors);
  g_test_add_func ("/deca/engine/flow-document/add", test_new_and_add);
  g_test_add_func ("/deca/engine/flow-document/remove", test_remove);
  g_test_add_func ("/deca/engine/flow-document/move", test_move);
  g_test_add_func ("/deca/engine/flow-document/group", test_group);
  g_test_add_func ("/deca/engine/flow-document/rename", test_rename);
  g_test_add_func ("/deca/engine/flow-document/rename-refusals", test_rename_refusals);
  g_test_add_func ("/deca/engine/flow-document/config", test_config_edits);
  g_test_add_func ("/deca/engine/flow-document/name-settings", test_name_and_settings);
  g_test_add_func ("/deca/engine/flow-document/triggers", test_triggers);
  g_test_add_func ("/deca/engine/flow-document/triggers-not-array", test_triggers_not_array);
  g_test_add_func ("/deca/engine/flow-document/description", test_description);
  g_test_add_func ("/deca/engine/flow-document/description-not-string", test_description_not_string);
  g_test_add_func ("/deca/engine/flow-document/dup-as-new", test_dup_as_new);
  g_test_add_func ("/deca/engine/flow-document/dup-as-new-without-id", test_dup_as_new_without_id);
  g_test_add_func ("/deca/engine/flow-document/connect-refusals", test_connect_refusals);
  g_test_add_func ("/deca/engine/flow-document/connect", test_connect);
  g_test_add_func ("/deca/engine/flow-document/copy-paste", test_copy_paste);
  g_test_add_func ("/deca/engine/flow-document/paste-bad", test_paste_bad);
  g_test_add_func ("/deca/engine/flow-document/modified", test_modified);
  g_test_add_func ("/deca/engine/flow-document/problems", test_problems);
  g_test_add_func ("/deca/engine/flow-document/big", test_big_document);

  status = g_test_run ();
  g_object_unref (registry);
  return status;
}
