/* test-inspector.c: the inspector, driven with real pointer and keyboard input. */

#include "deca-ui-test.h"

#include <gtksourceview/gtksource.h>

#include "deca-cron.h"
#include "deca-expression-completion.h"
#include "deca-expression-proposal.h"
#include "deca-expression-view.h"
#include "deca-inspector.h"
#include "deca-json.h"
#include "deca-key-value-editor.h"
#include "deca-schema-form.h"
#include "deca-trigger-editor.h"

typedef struct {
  DecaNodeRegistry *registry;
  DecaFlowDocument *document;
  DecaInspector *inspector;
  GtkWindow *window;
} Fixture;

static void
fixture_set_up (Fixture       *fixture,
                gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonObject) set = json_object_new ();
  g_autoptr(JsonNode) set_node = NULL;

  fixture->registry = deca_node_registry_new_builtin ();
  fixture->document = deca_flow_document_new (fixture->registry);
  g_assert_nonnull (deca_flow_document_add_node (fixture->document, "http", 0, 0, &error));
  g_assert_nonnull (deca_flow_document_add_node (fixture->document, "transform", 200, 0, &error));
  g_assert_nonnull (deca_flow_document_add_node (fixture->document, "condition", 400, 0, &error));
  g_assert_no_error (error);
  json_object_set_string_member (set, "total", "{{input.amount * 2}}");
  json_object_set_string_member (set, "customer.name", "{{input.name}}");
  set_node = json_node_init_object (json_node_alloc (), set);
  g_assert_true (deca_flow_document_set_node_field (fixture->document, "transform", "set",
                                                    set_node, &error));
  g_assert_no_error (error);
  deca_flow_document_clear_history (fixture->document);

  fixture->inspector = DECA_INSPECTOR (deca_inspector_new ());
  deca_inspector_set_document (fixture->inspector, fixture->document);
  /* The width the window gives the panel. */
  fixture->window = deca_ui_test_show (GTK_WIDGET (fixture->inspector), 380, 1100);
}

static void
fixture_tear_down (Fixture       *fixture,
                   gconstpointer  data)
{
  g_object_add_weak_pointer (G_OBJECT (fixture->inspector), (gpointer *) &fixture->inspector);
  gtk_window_destroy (fixture->window);
  deca_ui_test_iterate ();
  /* Nothing keeps the inspector or the document alive: no reference cycles. */
  g_assert_null (fixture->inspector);
  g_assert_finalize_object (fixture->document);
  g_clear_object (&fixture->registry);
}

/* ---- helpers ------------------------------------------------------------------------- */

static void
wait_drawn (Fixture *fixture)
{
  deca_ui_test_wait_for_draw (GTK_WIDGET (fixture->window));
}

/* Scrolls the inspector so that @widget is in view, then waits for the drawing. */
static void
scroll_to (Fixture   *fixture,
           GtkWidget *widget)
{
  GtkWidget *scroller = gtk_widget_get_first_child (GTK_WIDGET (fixture->inspector));
  GtkAdjustment *adjustment = gtk_scrolled_window_get_vadjustment (GTK_SCROLLED_WINDOW (scroller));

  wait_drawn (fixture);
  /* Twice: a first scroll may change what is allocated (an expander opening). */
  for (guint i = 0; i < 2; i++)
    {
      graphene_point_t in = GRAPHENE_POINT_INIT (0, 0), out;

      g_assert_true (gtk_widget_compute_point (widget, scroller, &in, &out));
      if (out.y >= 0 && out.y + gtk_widget_get_height (widget) <= gtk_widget_get_height (scroller))
        break;
      gtk_adjustment_set_value (adjustment, gtk_adjustment_get_value (adjustment) + out.y - 60);
      wait_drawn (fixture);
    }
}

/* Scrolls the inspector so that @widget is near the top: a drop-down's list then opens
 * below it within the screen, where real clicks reach it. */
static void
scroll_near_top (Fixture   *fixture,
                 GtkWidget *widget)
{
  GtkWidget *scroller = gtk_widget_get_first_child (GTK_WIDGET (fixture->inspector));
  GtkAdjustment *adjustment = gtk_scrolled_window_get_vadjustment (GTK_SCROLLED_WINDOW (scroller));

  wait_drawn (fixture);
  for (guint i = 0; i < 2; i++)
    {
      graphene_point_t in = GRAPHENE_POINT_INIT (0, 0), out;

      g_assert_true (gtk_widget_compute_point (widget, scroller, &in, &out));
      gtk_adjustment_set_value (adjustment, gtk_adjustment_get_value (adjustment) + out.y - 150);
      wait_drawn (fixture);
    }
}

static void
click_center (Fixture   *fixture,
              GtkWidget *widget)
{
  scroll_to (fixture, widget);
  deca_ui_test_click_widget (widget);
}

/* Clicks into the text of @widget (a spin button's entry sits at its left). */
static void
click_left (Fixture   *fixture,
            GtkWidget *widget)
{
  scroll_to (fixture, widget);
  deca_ui_test_click (widget, 8, gtk_widget_get_height (widget) / 2.0);
}

static void
select_all_and_type (GtkWidget  *widget,
                     const char *text)
{
  deca_ui_test_key (widget, GDK_KEY_a, GDK_CONTROL_MASK);
  deca_ui_test_type_text (widget, text);
}

static GtkWidget *
find_label (GtkWidget  *root,
            const char *text)
{
  for (GtkWidget *child = gtk_widget_get_first_child (root); child;
       child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *found;

      if (GTK_IS_LABEL (child) && gtk_widget_get_mapped (child) &&
          g_strcmp0 (gtk_label_get_text (GTK_LABEL (child)), text) == 0)
        return child;
      if ((found = find_label (child, text)))
        return found;
    }
  return NULL;
}

typedef struct {
  GtkWidget *root;
  const char *text;
  GtkWidget *found;
} LabelWait;

static gboolean
label_shown (gpointer data)
{
  LabelWait *wait = data;

  wait->found = find_label (wait->root, wait->text);
  return wait->found != NULL;
}

/* Waits for a mapped label with @text under @root (a popover that opens) and clicks it. */
static void
click_label (GtkWidget  *root,
             const char *text)
{
  LabelWait wait = { root, text, NULL };

  g_assert_true (deca_ui_test_wait_until (label_shown, &wait, 5000));
  deca_ui_test_wait_for_draw (wait.found);
  deca_ui_test_click_widget (wait.found);
}

static JsonNode *
config_member (Fixture    *fixture,
               const char *node_id,
               const char *member)
{
  DecaFlowNodeItem *node = deca_flow_document_lookup_node (fixture->document, node_id);
  g_autoptr(JsonObject) config = NULL;

  if (node == NULL)
    return NULL;
  config = deca_flow_node_item_get_config (node);
  return json_object_has_member (config, member)
           ? json_node_copy (json_object_get_member (config, member)) : NULL;
}

typedef struct {
  Fixture *fixture;
  const char *node_id;
  const char *member;
  const char *json;     /* the expected value as JSON text; NULL: absent */
} ConfigWait;

static gboolean
config_is (gpointer data)
{
  ConfigWait *wait = data;
  g_autoptr(JsonNode) value = config_member (wait->fixture, wait->node_id, wait->member);
  g_autoptr(JsonNode) expected = wait->json ? deca_json_parse (wait->json, -1, NULL) : NULL;

  if (value == NULL || expected == NULL)
    return value == NULL && expected == NULL;
  return json_node_equal (value, expected);
}

static void
assert_config_becomes (Fixture    *fixture,
                       const char *node_id,
                       const char *member,
                       const char *json)
{
  ConfigWait wait = { fixture, node_id, member, json };

  if (!deca_ui_test_wait_until (config_is, &wait, 5000))
    {
      g_autoptr(JsonNode) value = config_member (fixture, node_id, member);
      g_autofree char *text = deca_json_to_string (value, FALSE);

      g_error ("config %s/%s is %s, expected %s", node_id, member, text, json ? json : "absent");
    }
}

static gboolean
view_has_error (gpointer data)
{
  return deca_expression_view_get_error (data) != NULL;
}

static gboolean
view_has_no_error (gpointer data)
{
  return deca_expression_view_get_error (data) == NULL;
}

static DecaSchemaForm *
show_node (Fixture    *fixture,
           const char *id)
{
  deca_inspector_set_node_id (fixture->inspector, id);
  g_assert_cmpstr (deca_inspector_get_page (fixture->inspector), ==, "node");
  wait_drawn (fixture);
  return DECA_SCHEMA_FORM (deca_inspector_get_part (fixture->inspector, "schema-form"));
}

static GtkWidget *
field_input (DecaSchemaForm *form,
             const char     *pointer)
{
  GtkWidget *input = deca_schema_form_get_field_input (form, pointer);

  g_assert_nonnull (input);
  return input;
}

/* What the window does for Undo: write what the inspector holds, then undo. */
static gboolean
undo (Fixture *fixture)
{
  deca_inspector_flush (fixture->inspector);
  return deca_flow_document_undo (fixture->document);
}

static gboolean
document_undo_all (Fixture *fixture)
{
  gboolean any = FALSE;

  deca_inspector_flush (fixture->inspector);
  while (deca_flow_document_can_undo (fixture->document))
    {
      g_assert_true (undo (fixture));
      any = TRUE;
    }
  return any;
}

/* ---- node fields ---------------------------------------------------------------------- */

static void
test_text_field (Fixture       *fixture,
                 gconstpointer  data)
{
  DecaSchemaForm *form = show_node (fixture, "http");
  DecaExpressionView *url = DECA_EXPRESSION_VIEW (deca_schema_form_get_field_row (form, "/url"));
  GtkWidget *text = field_input (form, "/url");

  /* A new http node has no URL: the validator's problem is on the field. */
  g_assert_true (DECA_IS_EXPRESSION_VIEW (url));
  g_assert_true (deca_ui_test_wait_until (view_has_error, url, 5000));
  g_assert_cmpstr (deca_expression_view_get_error (url), ==, "is required");

  click_center (fixture, text);
  g_assert_true (gtk_widget_has_focus (text));
  deca_ui_test_type_text (text, "https://example.com");
  assert_config_becomes (fixture, "http", "url", "\"https://example.com\"");
  /* Typing on after the first part was written. */
  deca_ui_test_type_text (text, "/orders");
  assert_config_becomes (fixture, "http", "url", "\"https://example.com/orders\"");
  g_assert_true (deca_ui_test_wait_until (view_has_no_error, url, 5000));
  /* Writing the edit did not reset the text under the cursor. */
  g_assert_true (gtk_widget_has_focus (text));

  /* The burst of typing in the field is one step. */
  g_assert_true (undo (fixture));
  g_assert_null (config_member (fixture, "http", "url"));
  g_assert_false (deca_flow_document_can_undo (fixture->document));
}

static void
set_max_redirects (Fixture *fixture,
                   gint64   value)
{
  g_autoptr(JsonNode) node = json_node_init_int (json_node_alloc (), value);
  g_autoptr(GError) error = NULL;

  g_assert_true (deca_flow_document_set_node_field (fixture->document, "http", "max_redirects",
                                                    node, &error));
  g_assert_no_error (error);
}

static void
test_document_changes_while_typing (Fixture       *fixture,
                                    gconstpointer  data)
{
  DecaSchemaForm *form = show_node (fixture, "http");
  DecaExpressionView *url = DECA_EXPRESSION_VIEW (deca_schema_form_get_field_row (form, "/url"));
  GtkWidget *text = field_input (form, "/url");
  g_autofree char *shown = NULL;

  click_center (fixture, text);
  deca_ui_test_type_text (text, "https://a");
  assert_config_becomes (fixture, "http", "url", "\"https://a\"");

  /* Another edit of the node notifies its config; the text and the cursor stay. */
  set_max_redirects (fixture, 3);
  deca_ui_test_type_text (text, "bc");
  assert_config_becomes (fixture, "http", "url", "\"https://abc\"");

  /* The same while an edit is still waiting to be written. */
  deca_ui_test_type_text (text, "d");
  set_max_redirects (fixture, 4);
  shown = deca_expression_view_dup_text (url);
  g_assert_cmpstr (shown, ==, "https://abcd");
  deca_ui_test_type_text (text, "e");
  assert_config_becomes (fixture, "http", "url", "\"https://abcde\"");
  assert_config_becomes (fixture, "http", "max_redirects", "4");
  g_assert_true (gtk_widget_has_focus (text));
}

static void
test_number_field (Fixture       *fixture,
                   gconstpointer  data)
{
  DecaSchemaForm *form = show_node (fixture, "http");
  GtkWidget *spin = field_input (form, "/max_redirects");

  g_assert_true (GTK_IS_SPIN_BUTTON (spin));
  /* Integer schema: whole numbers, at least 0. */
  g_assert_cmpuint (gtk_spin_button_get_digits (GTK_SPIN_BUTTON (spin)), ==, 0);
  g_assert_cmpfloat (gtk_adjustment_get_lower (gtk_spin_button_get_adjustment (GTK_SPIN_BUTTON (spin))), ==, 0);

  click_left (fixture, spin);
  select_all_and_type (spin, "4");
  deca_ui_test_key (spin, GDK_KEY_Tab, 0);
  assert_config_becomes (fixture, "http", "max_redirects", "4");

  /* Below the minimum is clamped by the spin button, never written. */
  click_left (fixture, spin);
  select_all_and_type (spin, "-3");
  deca_ui_test_key (spin, GDK_KEY_Tab, 0);
  assert_config_becomes (fixture, "http", "max_redirects", "0");

  /* Back to the schema's default, which the new node was given. */
  g_assert_true (document_undo_all (fixture));
  assert_config_becomes (fixture, "http", "max_redirects", "10");
  g_assert_cmpfloat (gtk_spin_button_get_value (GTK_SPIN_BUTTON (spin)), ==, 10);
}

static const char *
spin_placeholder (GtkWidget *spin)
{
  return gtk_text_get_placeholder_text (GTK_TEXT (gtk_editable_get_delegate (GTK_EDITABLE (spin))));
}

/* A number field whose member is absent is empty, its default the placeholder; emptying a
 * number field removes its member. */
static void
test_number_unset (Fixture       *fixture,
                   gconstpointer  data)
{
  DecaSchemaForm *form = show_node (fixture, "http");
  GtkWidget *timeout = field_input (form, "/timeout");
  GtkWidget *redirects = field_input (form, "/max_redirects");
  g_autoptr(GError) error = NULL;

  /* A new node has its defaults: shown as numbers. */
  g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (timeout)), ==, "30.00");
  g_assert_cmpstr (spin_placeholder (timeout), ==, "30 (default)");
  g_assert_true (deca_flow_document_set_node_field (fixture->document, "http", "timeout", NULL, &error));
  g_assert_no_error (error);
  deca_flow_document_clear_history (fixture->document);
  g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (timeout)), ==, "");

  /* Shown again without a value: still empty, and leaving it writes nothing. */
  deca_inspector_set_node_id (fixture->inspector, NULL);
  form = show_node (fixture, "http");
  timeout = field_input (form, "/timeout");
  g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (timeout)), ==, "");
  g_assert_cmpstr (spin_placeholder (timeout), ==, "30 (default)");
  click_left (fixture, timeout);
  deca_ui_test_key (timeout, GDK_KEY_Tab, 0);
  deca_inspector_flush (fixture->inspector);
  g_assert_null (config_member (fixture, "http", "timeout"));
  g_assert_false (deca_flow_document_can_undo (fixture->document));
  g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (timeout)), ==, "");

  /* Typing the default sets it. */
  click_left (fixture, timeout);
  deca_ui_test_type_text (timeout, "30");
  deca_ui_test_key (timeout, GDK_KEY_Tab, 0);
  assert_config_becomes (fixture, "http", "timeout", "30");

  /* Emptying a set number removes the member; undo brings it back. */
  redirects = field_input (form, "/max_redirects");
  g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (redirects)), ==, "10");
  click_left (fixture, redirects);
  deca_ui_test_key (redirects, GDK_KEY_a, GDK_CONTROL_MASK);
  deca_ui_test_key (redirects, GDK_KEY_BackSpace, 0);
  deca_ui_test_key (redirects, GDK_KEY_Tab, 0);
  assert_config_becomes (fixture, "http", "max_redirects", NULL);
  g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (redirects)), ==, "");
  g_assert_true (undo (fixture));
  assert_config_becomes (fixture, "http", "max_redirects", "10");
  g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (redirects)), ==, "10");
  g_assert_true (undo (fixture));
  assert_config_becomes (fixture, "http", "timeout", NULL);
  g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (timeout)), ==, "");

  /* The arrow starts from the default. */
  click_left (fixture, timeout);
  deca_ui_test_key (timeout, GDK_KEY_Up, 0);
  assert_config_becomes (fixture, "http", "timeout", "30.1");
  g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (timeout)), ==, "30.10");
}

static void
test_switch_field (Fixture       *fixture,
                   gconstpointer  data)
{
  DecaSchemaForm *form = show_node (fixture, "http");
  GtkWidget *toggle = field_input (form, "/follow_redirects");

  g_assert_true (GTK_IS_SWITCH (toggle));
  /* Absent, it shows the schema's default. */
  g_assert_true (gtk_switch_get_active (GTK_SWITCH (toggle)));
  click_center (fixture, toggle);
  assert_config_becomes (fixture, "http", "follow_redirects", "false");
  click_center (fixture, toggle);
  assert_config_becomes (fixture, "http", "follow_redirects", "true");

  g_assert_true (undo (fixture));
  assert_config_becomes (fixture, "http", "follow_redirects", "false");
  /* The switch follows the document. */
  g_assert_false (gtk_switch_get_active (GTK_SWITCH (toggle)));
}

static void
test_enum_field (Fixture       *fixture,
                 gconstpointer  data)
{
  DecaSchemaForm *form = show_node (fixture, "http");
  GtkWidget *row = deca_schema_form_get_field_row (form, "/method");

  g_assert_true (ADW_IS_COMBO_ROW (row));
  click_center (fixture, row);
  click_label (row, "POST");
  assert_config_becomes (fixture, "http", "method", "\"POST\"");

  g_assert_true (undo (fixture));
  g_assert_cmpuint (adw_combo_row_get_selected (ADW_COMBO_ROW (row)), !=, GTK_INVALID_LIST_POSITION);
  {
    g_autoptr(JsonNode) method = config_member (fixture, "http", "method");
    g_assert_cmpstr (json_node_get_string (method), ==, "GET");
  }
}

static void
test_json_field (Fixture       *fixture,
                 gconstpointer  data)
{
  DecaSchemaForm *form = show_node (fixture, "http");
  DecaExpressionView *body = DECA_EXPRESSION_VIEW (deca_schema_form_get_field_row (form, "/body"));
  GtkWidget *text = field_input (form, "/body");

  /* A property without a type takes any JSON value. */
  g_assert_cmpint (deca_expression_view_get_mode (body), ==, DECA_EXPRESSION_VIEW_JSON);
  click_center (fixture, text);
  select_all_and_type (text, "{\"items\": ");
  /* Not JSON: an error with its position, and the config keeps its value. */
  g_assert_true (deca_ui_test_wait_until (view_has_error, body, 5000));
  g_assert_true (g_str_has_prefix (deca_expression_view_get_error (body), "line 1, column"));
  g_assert_null (config_member (fixture, "http", "body"));

  deca_ui_test_type_text (text, "[1, 2]}");
  assert_config_becomes (fixture, "http", "body", "{\"items\": [1, 2]}");
  g_assert_true (deca_ui_test_wait_until (view_has_no_error, body, 5000));

  /* Emptied, the member goes. */
  deca_ui_test_key (text, GDK_KEY_a, GDK_CONTROL_MASK);
  deca_ui_test_key (text, GDK_KEY_BackSpace, 0);
  assert_config_becomes (fixture, "http", "body", NULL);

  g_assert_true (document_undo_all (fixture));
  assert_config_becomes (fixture, "http", "body", NULL);
}

/* ---- key/value fields ------------------------------------------------------------------ */

static DecaKeyValueEditor *
key_value_editor (DecaSchemaForm *form,
                  const char     *pointer)
{
  GtkWidget *row = deca_schema_form_get_field_row (form, pointer);

  g_assert_true (DECA_IS_KEY_VALUE_EDITOR (row));
  g_assert_true (field_input (form, pointer) == row);
  return DECA_KEY_VALUE_EDITOR (row);
}

static GtkWidget *
line_part (DecaKeyValueEditor *editor,
           guint               index,
           const char         *part)
{
  GtkWidget *widget = deca_key_value_editor_get_row_part (editor, index, part);

  g_assert_nonnull (widget);
  return widget;
}

static GtkWidget *
line_value_text (DecaKeyValueEditor *editor,
                 guint               index)
{
  return GTK_WIDGET (deca_expression_view_get_source_view (DECA_EXPRESSION_VIEW (line_part (editor, index, "value"))));
}

static gboolean
has_focus_within (gpointer data)
{
  GtkWidget *widget = data;
  GtkRoot *root = gtk_widget_get_root (widget);
  GtkWidget *focus = root ? gtk_root_get_focus (root) : NULL;

  return focus != NULL && (focus == widget || gtk_widget_is_ancestor (focus, widget));
}

/* Adds a header with the keyboard, edits it, removes it; each step is one undo step and
 * undo and redo go through them. */
static void
test_key_value_field (Fixture       *fixture,
                      gconstpointer  data)
{
  DecaSchemaForm *form = show_node (fixture, "http");
  DecaKeyValueEditor *editor = key_value_editor (form, "/headers");
  GtkWidget *add = deca_key_value_editor_get_part (editor, "add");
  GtkWidget *name;
  GtkWidget *value;
  GtkWidget *remove;

  /* headers' values are strings: the lines, no JSON. */
  g_assert_false (deca_key_value_editor_get_json_mode (editor));
  g_assert_cmpuint (deca_key_value_editor_get_n_rows (editor), ==, 0);

  /* Add: a line, its name focused. */
  scroll_to (fixture, add);
  gtk_widget_grab_focus (add);
  deca_ui_test_key (add, GDK_KEY_Return, 0);
  g_assert_true (deca_ui_test_wait_until (has_focus_within, deca_key_value_editor_get_row_part (editor, 0, "name"), 5000));
  g_assert_cmpuint (deca_key_value_editor_get_n_rows (editor), ==, 1);
  name = line_part (editor, 0, "name");
  /* An empty line is nothing yet. */
  deca_inspector_flush (fixture->inspector);
  assert_config_becomes (fixture, "http", "headers", "{}");
  g_assert_false (deca_flow_document_can_undo (fixture->document));

  deca_ui_test_type_text (name, "Accept");
  assert_config_becomes (fixture, "http", "headers", "{\"Accept\": \"\"}");
  /* Tab goes on to the value. */
  deca_ui_test_key (name, GDK_KEY_Tab, 0);
  value = line_value_text (editor, 0);
  g_assert_true (deca_ui_test_wait_until (has_focus_within, value, 5000));
  deca_ui_test_type_text (value, "text/plain");
  assert_config_becomes (fixture, "http", "headers", "{\"Accept\": \"text/plain\"}");
  /* Then the line's remove button, named after the header. */
  remove = line_part (editor, 0, "remove");
  deca_ui_test_key (value, GDK_KEY_Tab, 0);
  g_assert_true (deca_ui_test_wait_until (has_focus_within, remove, 5000));
  g_assert_cmpstr (gtk_widget_get_tooltip_text (remove), ==, "Remove Accept from Headers");

  /* Back to the value and edit it: a step of its own. */
  deca_ui_test_key (remove, GDK_KEY_Tab, GDK_SHIFT_MASK);
  g_assert_true (deca_ui_test_wait_until (has_focus_within, value, 5000));
  select_all_and_type (value, "application/json");
  assert_config_becomes (fixture, "http", "headers", "{\"Accept\": \"application/json\"}");
  deca_ui_test_key (value, GDK_KEY_Tab, 0);
  g_assert_true (deca_ui_test_wait_until (has_focus_within, remove, 5000));

  /* Remove: the member goes, the focus stays in the list. */
  deca_ui_test_key (remove, GDK_KEY_Return, 0);
  assert_config_becomes (fixture, "http", "headers", "{}");
  g_assert_cmpuint (deca_key_value_editor_get_n_rows (editor), ==, 0);
  g_assert_true (gtk_widget_has_focus (add));

  /* Undo: the removal, the edit, the value, the name. */
  g_assert_true (undo (fixture));
  assert_config_becomes (fixture, "http", "headers", "{\"Accept\": \"application/json\"}");
  g_assert_cmpuint (deca_key_value_editor_get_n_rows (editor), ==, 1);
  g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (line_part (editor, 0, "name"))), ==, "Accept");
  g_assert_true (undo (fixture));
  assert_config_becomes (fixture, "http", "headers", "{\"Accept\": \"text/plain\"}");
  {
    g_autofree char *text = deca_expression_view_dup_text (DECA_EXPRESSION_VIEW (line_part (editor, 0, "value")));
    g_assert_cmpstr (text, ==, "text/plain");
  }
  g_assert_true (undo (fixture));
  assert_config_becomes (fixture, "http", "headers", "{\"Accept\": \"\"}");
  g_assert_true (undo (fixture));
  assert_config_becomes (fixture, "http", "headers", "{}");
  g_assert_false (deca_flow_document_can_undo (fixture->document));
  g_assert_cmpuint (deca_key_value_editor_get_n_rows (editor), ==, 0);

  /* Redo goes forward through the same steps. */
  g_assert_true (deca_flow_document_redo (fixture->document));
  g_assert_true (deca_flow_document_redo (fixture->document));
  assert_config_becomes (fixture, "http", "headers", "{\"Accept\": \"text/plain\"}");
  g_assert_cmpuint (deca_key_value_editor_get_n_rows (editor), ==, 1);
  g_assert_true (deca_flow_document_redo (fixture->document));
  g_assert_true (deca_flow_document_redo (fixture->document));
  assert_config_becomes (fixture, "http", "headers", "{}");
  g_assert_false (deca_flow_document_can_redo (fixture->document));
}

typedef struct {
  DecaKeyValueEditor *editor;
  guint index;
} LineWait;

static gboolean
row_has_error (gpointer data)
{
  LineWait *wait = data;

  return deca_key_value_editor_get_row_error (wait->editor, wait->index) != NULL;
}

static gboolean
row_has_no_error (gpointer data)
{
  return !row_has_error (data);
}

/* A name used twice or a value without a name: an error on the line, and nothing is
 * written until it is fixed. Lines keep their order. */
static void
test_key_value_errors (Fixture       *fixture,
                       gconstpointer  data)
{
  DecaSchemaForm *form = show_node (fixture, "transform");
  DecaKeyValueEditor *editor = key_value_editor (form, "/set");
  const char *before = "{\"total\": \"{{input.amount * 2}}\", \"customer.name\": \"{{input.name}}\"}";
  LineWait third = { editor, 2 };
  GtkWidget *name;
  GtkWidget *error;

  g_assert_cmpuint (deca_key_value_editor_get_n_rows (editor), ==, 2);
  g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (line_part (editor, 0, "name"))), ==, "total");
  g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (line_part (editor, 1, "name"))), ==, "customer.name");

  click_center (fixture, deca_key_value_editor_get_part (editor, "add"));
  name = line_part (editor, 2, "name");
  g_assert_true (deca_ui_test_wait_until (has_focus_within, name, 5000));
  deca_ui_test_type_text (name, "total");
  g_assert_true (deca_ui_test_wait_until (row_has_error, &third, 5000));
  /* The message names the name and the line that has it. */
  g_assert_nonnull (strstr (deca_key_value_editor_get_row_error (editor, 2), "“total”"));
  g_assert_nonnull (strstr (deca_key_value_editor_get_row_error (editor, 2), "line 1"));
  error = line_part (editor, 2, "error");
  g_assert_true (gtk_widget_get_visible (error));
  g_assert_true (gtk_widget_has_css_class (name, "error"));
  /* Not written, not even when the inspector is flushed. */
  deca_inspector_flush (fixture->inspector);
  assert_config_becomes (fixture, "transform", "set", before);
  g_assert_false (deca_flow_document_can_undo (fixture->document));

  /* Fixed: written, last. */
  deca_ui_test_type_text (name, "2");
  g_assert_true (deca_ui_test_wait_until (row_has_no_error, &third, 5000));
  assert_config_becomes (fixture, "transform", "set",
                         "{\"total\": \"{{input.amount * 2}}\", \"customer.name\": \"{{input.name}}\", \"total2\": \"\"}");
  {
    g_autoptr(JsonNode) set = config_member (fixture, "transform", "set");
    g_autoptr(GList) names = json_object_get_members (json_node_get_object (set));

    g_assert_cmpstr (g_list_nth_data (names, 2), ==, "total2");
  }

  /* A value without a name. */
  deca_ui_test_key (name, GDK_KEY_a, GDK_CONTROL_MASK);
  deca_ui_test_key (name, GDK_KEY_BackSpace, 0);
  assert_config_becomes (fixture, "transform", "set", before);
  deca_ui_test_key (name, GDK_KEY_Tab, 0);
  g_assert_true (deca_ui_test_wait_until (has_focus_within, line_value_text (editor, 2), 5000));
  deca_ui_test_type_text (line_value_text (editor, 2), "x");
  g_assert_true (deca_ui_test_wait_until (row_has_error, &third, 5000));
  g_assert_nonnull (strstr (deca_key_value_editor_get_row_error (editor, 2), "no name"));
  deca_inspector_flush (fixture->inspector);
  assert_config_becomes (fixture, "transform", "set", before);
}

/* The validator's problem with a member shows on that member's value, and moves with
 * its name. */
static void
test_key_value_problem (Fixture       *fixture,
                        gconstpointer  data)
{
  DecaSchemaForm *form = show_node (fixture, "http");
  DecaKeyValueEditor *editor = key_value_editor (form, "/headers");
  DecaExpressionView *value;
  GtkWidget *name;

  click_center (fixture, deca_key_value_editor_get_part (editor, "add"));
  name = line_part (editor, 0, "name");
  g_assert_true (deca_ui_test_wait_until (has_focus_within, name, 5000));
  deca_ui_test_type_text (name, "X-Id");
  deca_ui_test_key (name, GDK_KEY_Tab, 0);
  deca_ui_test_type_text (line_value_text (editor, 0), "{{input.");
  assert_config_becomes (fixture, "http", "headers", "{\"X-Id\": \"{{input.\"}");
  value = DECA_EXPRESSION_VIEW (line_part (editor, 0, "value"));
  g_assert_true (deca_ui_test_wait_until (view_has_error, value, 5000));
  g_assert_nonnull (strstr (deca_expression_view_get_error (value), "column"));
  /* Not repeated below the list. */
  g_assert_null (deca_key_value_editor_get_error (editor));

  /* In JSON it says whose it is. */
  g_assert_true (deca_key_value_editor_set_json_mode (editor, TRUE));
  {
    DecaExpressionView *json = DECA_EXPRESSION_VIEW (deca_key_value_editor_get_part (editor, "json"));

    g_assert_nonnull (deca_expression_view_get_error (json));
    g_assert_true (g_str_has_prefix (deca_expression_view_get_error (json), "X-Id: "));
  }
  g_assert_true (deca_key_value_editor_set_json_mode (editor, FALSE));
  value = DECA_EXPRESSION_VIEW (line_part (editor, 0, "value"));
  g_assert_nonnull (deca_expression_view_get_error (value));

  /* Fixed, the problem goes. */
  click_center (fixture, line_value_text (editor, 0));
  deca_ui_test_type_text (line_value_text (editor, 0), "id}}");
  assert_config_becomes (fixture, "http", "headers", "{\"X-Id\": \"{{input.id}}\"}");
  g_assert_true (deca_ui_test_wait_until (view_has_no_error, value, 5000));
}

static gboolean
notice_shown (gpointer data)
{
  return gtk_widget_get_visible (deca_key_value_editor_get_part (data, "notice"));
}

typedef struct {
  DecaKeyValueEditor *editor;
  gboolean json_mode;
} ModeWait;

static gboolean
json_mode_is (gpointer data)
{
  ModeWait *wait = data;

  return deca_key_value_editor_get_json_mode (wait->editor) == wait->json_mode;
}

/* "Edit as JSON" and back; a value with a member that is not text is JSON by itself. */
static void
test_key_value_json (Fixture       *fixture,
                     gconstpointer  data)
{
  DecaSchemaForm *form = show_node (fixture, "http");
  DecaKeyValueEditor *editor = key_value_editor (form, "/headers");
  GtkWidget *mode = deca_key_value_editor_get_part (editor, "mode");
  DecaExpressionView *json = DECA_EXPRESSION_VIEW (deca_key_value_editor_get_part (editor, "json"));
  GtkWidget *text = GTK_WIDGET (deca_expression_view_get_source_view (json));
  ModeWait json_on = { editor, TRUE };
  ModeWait json_off = { editor, FALSE };
  g_autoptr(GError) error = NULL;

  g_assert_cmpstr (gtk_button_get_label (GTK_BUTTON (mode)), ==, "Edit as JSON");
  click_center (fixture, mode);
  g_assert_true (deca_ui_test_wait_until (json_mode_is, &json_on, 5000));
  g_assert_cmpstr (gtk_button_get_label (GTK_BUTTON (mode)), ==, "Edit as List");
  {
    g_autofree char *shown = deca_expression_view_dup_text (json);
    g_autoptr(JsonNode) parsed = deca_json_parse (shown, -1, NULL);

    g_assert_nonnull (parsed);
    g_assert_true (JSON_NODE_HOLDS_OBJECT (parsed));
    g_assert_cmpuint (json_object_get_size (json_node_get_object (parsed)), ==, 0);
  }

  click_center (fixture, text);
  select_all_and_type (text, "{\"Accept\": ");
  /* Not JSON: an error with its position, and the config keeps its value. */
  g_assert_true (deca_ui_test_wait_until (view_has_error, json, 5000));
  g_assert_true (g_str_has_prefix (deca_expression_view_get_error (json), "line 1, column"));
  assert_config_becomes (fixture, "http", "headers", "{}");
  deca_ui_test_type_text (text, "\"text/plain\", \"X-Retries\": 3}");
  assert_config_becomes (fixture, "http", "headers", "{\"Accept\": \"text/plain\", \"X-Retries\": 3}");
  /* The schema wants strings: the validator's problem, inside the JSON. */
  g_assert_true (deca_ui_test_wait_until (view_has_error, json, 5000));
  g_assert_nonnull (strstr (deca_expression_view_get_error (json), "X-Retries"));

  /* A number cannot be a line: the switch back is refused and says why. */
  click_center (fixture, mode);
  g_assert_true (deca_ui_test_wait_until (notice_shown, editor, 5000));
  g_assert_nonnull (strstr (gtk_label_get_text (GTK_LABEL (deca_key_value_editor_get_part (editor, "notice"))),
                            "X-Retries"));
  g_assert_true (deca_key_value_editor_get_json_mode (editor));

  /* Text only: back to the lines, in order. */
  click_center (fixture, text);
  select_all_and_type (text, "{\"Accept\": \"text/plain\", \"X-Retries\": \"3\"}");
  assert_config_becomes (fixture, "http", "headers", "{\"Accept\": \"text/plain\", \"X-Retries\": \"3\"}");
  click_center (fixture, mode);
  g_assert_true (deca_ui_test_wait_until (json_mode_is, &json_off, 5000));
  g_assert_false (notice_shown (editor));
  g_assert_cmpuint (deca_key_value_editor_get_n_rows (editor), ==, 2);
  g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (line_part (editor, 0, "name"))), ==, "Accept");
  g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (line_part (editor, 1, "name"))), ==, "X-Retries");
  /* Switching changed nothing. */
  assert_config_becomes (fixture, "http", "headers", "{\"Accept\": \"text/plain\", \"X-Retries\": \"3\"}");

  /* A number from elsewhere (a paste, an undo) shows as JSON, and the lines come back with
   * text. */
  deca_inspector_flush (fixture->inspector);
  {
    g_autoptr(JsonNode) numbers = deca_json_parse ("{\"X-Retries\": 3}", -1, NULL);

    g_assert_true (deca_flow_document_set_node_field (fixture->document, "http", "headers",
                                                      numbers, &error));
    g_assert_no_error (error);
  }
  deca_ui_test_iterate ();
  g_assert_true (deca_key_value_editor_get_json_mode (editor));
  g_assert_true (undo (fixture));
  deca_ui_test_iterate ();
  g_assert_false (deca_key_value_editor_get_json_mode (editor));
  g_assert_cmpuint (deca_key_value_editor_get_n_rows (editor), ==, 2);

  g_assert_true (document_undo_all (fixture));
  assert_config_becomes (fixture, "http", "headers", "{}");
  g_assert_cmpuint (deca_key_value_editor_get_n_rows (editor), ==, 0);
}

static gboolean
names_contain (GListModel *model,
               const char *name)
{
  for (guint i = 0; model && i < g_list_model_get_n_items (model); i++)
    {
      g_autoptr(DecaExpressionProposal) proposal = g_list_model_get_item (model, i);

      if (g_str_equal (deca_expression_proposal_get_text (proposal), name))
        return TRUE;
    }
  return FALSE;
}

/* GtkSourceView's completion popup is a private GtkPopover subclass parented to the
 * view; it is shown when there are proposals. */
static gboolean
completion_popup_shown (gpointer data)
{
  for (GtkWidget *child = gtk_widget_get_first_child (data); child;
       child = gtk_widget_get_next_sibling (child))
    if (GTK_IS_POPOVER (child) && gtk_widget_get_mapped (child) &&
        g_str_has_prefix (G_OBJECT_TYPE_NAME (child), "GtkSourceCompletion"))
      return TRUE;
  return FALSE;
}

static void
test_completion (Fixture       *fixture,
                 gconstpointer  data)
{
  DecaSchemaForm *form = show_node (fixture, "http");
  DecaExpressionView *url = DECA_EXPRESSION_VIEW (deca_schema_form_get_field_row (form, "/url"));
  DecaExpressionCompletion *completion = deca_expression_view_get_completion (url);
  GtkWidget *text = field_input (form, "/url");
  g_autoptr(GListModel) roots = NULL;
  g_autoptr(GListModel) prefixed = NULL;
  g_autoptr(GListModel) fields = NULL;
  g_autoptr(GListModel) nested = NULL;
  g_autoptr(GListModel) http_fields = NULL;
  gsize word_start = 0;

  g_assert_nonnull (completion);
  /* After {{: the other nodes and the roots, never the node itself. */
  roots = deca_expression_completion_propose (completion, "https://x/{{", &word_start);
  g_assert_true (names_contain (roots, "transform"));
  g_assert_true (names_contain (roots, "condition"));
  g_assert_true (names_contain (roots, "input"));
  g_assert_true (names_contain (roots, "env"));
  g_assert_true (names_contain (roots, "credentials"));
  g_assert_true (names_contain (roots, "item"));
  g_assert_false (names_contain (roots, "http"));
  g_assert_cmpuint (word_start, ==, strlen ("https://x/{{"));

  prefixed = deca_expression_completion_propose (completion, "{{ tr", &word_start);
  g_assert_true (names_contain (prefixed, "transform"));
  g_assert_false (names_contain (prefixed, "condition"));
  g_assert_cmpuint (word_start, ==, 3);

  /* After "node.": the node's outputs; a transform's are the fields it sets. */
  fields = deca_expression_completion_propose (completion, "{{transform.", NULL);
  g_assert_true (names_contain (fields, "total"));
  g_assert_true (names_contain (fields, "customer"));
  nested = deca_expression_completion_propose (completion, "{{transform.customer.", NULL);
  g_assert_true (names_contain (nested, "name"));

  /* Node ids with '-' complete as one word. */
  {
    g_autoptr(GError) error = NULL;
    g_autoptr(GListModel) hyphenated = NULL;
    g_autoptr(GListModel) after_minus = NULL;

    g_assert_true (deca_flow_document_rename_node (fixture->document, "condition", "check-input",
                                                   &error));
    hyphenated = deca_expression_completion_propose (completion, "{{check-in", &word_start);
    g_assert_true (names_contain (hyphenated, "check-input"));
    g_assert_cmpuint (word_start, ==, 2);
    /* "x - in": a subtraction, the word is "in". */
    after_minus = deca_expression_completion_propose (completion, "{{x - in", &word_start);
    g_assert_true (names_contain (after_minus, "input"));
    g_assert_cmpuint (word_start, ==, 6);
    g_assert_true (deca_flow_document_undo (fixture->document));
  }

  /* Outside {{ }} there is nothing to complete; after }} neither. */
  g_assert_null (deca_expression_completion_propose (completion, "https://x/", NULL));
  g_assert_null (deca_expression_completion_propose (completion, "{{input.a}} and ", NULL));
  g_assert_null (deca_expression_completion_propose (completion, "{{ 'tr", NULL));

  /* In JSON, string values are templates and complete the same way. */
  {
    DecaKeyValueEditor *editor = DECA_KEY_VALUE_EDITOR (deca_schema_form_get_field_row (form, "/headers"));
    DecaExpressionView *headers = DECA_EXPRESSION_VIEW (deca_key_value_editor_get_part (editor, "json"));
    g_autoptr(GListModel) in_json = NULL;

    in_json = deca_expression_completion_propose (deca_expression_view_get_completion (headers),
                                                  "{\"X-Total\": \"{{transform.to", NULL);
    g_assert_true (names_contain (in_json, "total"));
    g_assert_null (deca_expression_completion_propose (deca_expression_view_get_completion (headers),
                                                       "{\"X-Total\": ", NULL));
  }

  /* Another node sees http's outputs. */
  {
    DecaExpressionCompletion *condition = deca_expression_completion_new (FALSE);

    deca_expression_completion_set_document (condition, fixture->document);
    deca_expression_completion_set_node_id (condition, "condition");
    http_fields = deca_expression_completion_propose (condition, "http.st", NULL);
    g_assert_true (names_contain (http_fields, "status"));
    g_assert_false (names_contain (http_fields, "body"));
    g_object_unref (condition);
  }

  /* Typing {{ in the field opens the popup. */
  click_center (fixture, text);
  deca_ui_test_type_text (text, "https://x/{{tr");
  g_assert_true (deca_ui_test_wait_until (completion_popup_shown, text, 5000));
  /* Enter takes the proposal. */
  deca_ui_test_key (text, GDK_KEY_Return, 0);
  assert_config_becomes (fixture, "http", "url", "\"https://x/{{transform\"");
}

static void
test_template_problem (Fixture       *fixture,
                       gconstpointer  data)
{
  DecaSchemaForm *form = show_node (fixture, "http");
  DecaExpressionView *url = DECA_EXPRESSION_VIEW (deca_schema_form_get_field_row (form, "/url"));
  GtkWidget *text = field_input (form, "/url");

  click_center (fixture, text);
  deca_ui_test_type_text (text, "https://x/{{input.id");
  assert_config_becomes (fixture, "http", "url", "\"https://x/{{input.id\"");
  /* The validator's message, on the field, as typed. */
  g_assert_true (deca_ui_test_wait_until (view_has_error, url, 5000));
  g_assert_nonnull (strstr (deca_expression_view_get_error (url), "column"));

  deca_ui_test_type_text (text, "}}");
  assert_config_becomes (fixture, "http", "url", "\"https://x/{{input.id}}\"");
  g_assert_true (deca_ui_test_wait_until (view_has_no_error, url, 5000));

  /* An unknown reference is a problem too. */
  deca_ui_test_key (text, GDK_KEY_a, GDK_CONTROL_MASK);
  deca_ui_test_type_text (text, "{{nobody.x}}");
  assert_config_becomes (fixture, "http", "url", "\"{{nobody.x}}\"");
  g_assert_true (deca_ui_test_wait_until (view_has_error, url, 5000));
  g_assert_nonnull (strstr (deca_expression_view_get_error (url), "nobody"));
}

static gboolean
label_visible (gpointer data)
{
  return gtk_widget_get_visible (data);
}

static void
test_rename (Fixture       *fixture,
             gconstpointer  data)
{
  GtkWidget *id_row;
  GtkWidget *error_label;

  show_node (fixture, "http");
  id_row = deca_inspector_get_part (fixture->inspector, "node-id");
  error_label = deca_inspector_get_part (fixture->inspector, "node-id-error");
  g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (id_row)), ==, "http");

  click_center (fixture, id_row);
  select_all_and_type (id_row, "fetch");
  deca_ui_test_key (id_row, GDK_KEY_Return, 0);
  g_assert_nonnull (deca_flow_document_lookup_node (fixture->document, "fetch"));
  g_assert_null (deca_flow_document_lookup_node (fixture->document, "http"));
  g_assert_cmpstr (deca_inspector_get_node_id (fixture->inspector), ==, "fetch");
  g_assert_false (gtk_widget_get_visible (error_label));

  /* A taken id: an error below the field, the document unchanged. */
  select_all_and_type (id_row, "transform");
  g_assert_true (deca_ui_test_wait_until (label_visible, error_label, 5000));
  deca_ui_test_key (id_row, GDK_KEY_Return, 0);
  g_assert_true (gtk_widget_get_visible (error_label));
  g_assert_nonnull (deca_flow_document_lookup_node (fixture->document, "fetch"));
  g_assert_cmpstr (deca_flow_node_item_get_node_type (deca_flow_document_lookup_node (fixture->document, "transform")),
                   ==, "transform");

  /* Not an id at all. */
  select_all_and_type (id_row, "2nd");
  deca_ui_test_key (id_row, GDK_KEY_Return, 0);
  g_assert_true (gtk_widget_get_visible (error_label));
  g_assert_nonnull (deca_flow_document_lookup_node (fixture->document, "fetch"));

  g_assert_true (undo (fixture));
  g_assert_nonnull (deca_flow_document_lookup_node (fixture->document, "http"));
  g_assert_cmpstr (deca_inspector_get_node_id (fixture->inspector), ==, "http");
  g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (id_row)), ==, "http");
}

static double
retry_member (Fixture    *fixture,
              const char *member)
{
  g_autoptr(JsonObject) retry = deca_flow_node_item_get_retry (deca_flow_document_lookup_node (fixture->document, "http"));

  return retry && json_object_has_member (retry, member) ? json_object_get_double_member (retry, member) : -1;
}

typedef struct {
  Fixture *fixture;
  const char *member;
  double value;
} RetryWait;

static gboolean
retry_is (gpointer data)
{
  RetryWait *wait = data;

  return retry_member (wait->fixture, wait->member) == wait->value;
}

static gboolean
timeout_is_20 (gpointer data)
{
  Fixture *fixture = data;

  return deca_flow_node_item_get_timeout (deca_flow_document_lookup_node (fixture->document, "http")) == 20;
}

static void
test_retry_timeout (Fixture       *fixture,
                    gconstpointer  data)
{
  GtkWidget *retry;
  GtkWidget *toggle;
  GtkWidget *attempts;
  GtkWidget *delay;
  GtkWidget *timeout;
  RetryWait wait = { fixture, "max_attempts", 3 };

  show_node (fixture, "http");
  retry = deca_inspector_get_part (fixture->inspector, "retry");
  attempts = deca_inspector_get_part (fixture->inspector, "max-attempts");
  delay = deca_inspector_get_part (fixture->inspector, "initial-delay");
  timeout = deca_inspector_get_part (fixture->inspector, "node-timeout");
  toggle = deca_ui_test_find_type (retry, GTK_TYPE_SWITCH);
  g_assert_nonnull (toggle);
  g_assert_false (gtk_switch_get_active (GTK_SWITCH (toggle)));

  /* Turning retry on writes a retry object with three attempts. */
  click_center (fixture, toggle);
  g_assert_true (deca_ui_test_wait_until (retry_is, &wait, 5000));
  adw_expander_row_set_expanded (ADW_EXPANDER_ROW (retry), TRUE);
  wait_drawn (fixture);

  click_left (fixture, attempts);
  select_all_and_type (attempts, "5");
  deca_ui_test_key (attempts, GDK_KEY_Tab, 0);
  wait.value = 5;
  g_assert_true (deca_ui_test_wait_until (retry_is, &wait, 5000));

  click_left (fixture, delay);
  select_all_and_type (delay, "0.5");
  deca_ui_test_key (delay, GDK_KEY_Tab, 0);
  wait.member = "initial_delay";
  wait.value = 0.5;
  g_assert_true (deca_ui_test_wait_until (retry_is, &wait, 5000));

  click_left (fixture, timeout);
  select_all_and_type (timeout, "20");
  deca_ui_test_key (timeout, GDK_KEY_Tab, 0);
  g_assert_true (deca_ui_test_wait_until (timeout_is_20, fixture, 5000));

  /* Undo, one step at a time: timeout, delay, attempts, retry on. */
  g_assert_true (undo (fixture));
  g_assert_cmpfloat (deca_flow_node_item_get_timeout (deca_flow_document_lookup_node (fixture->document, "http")), ==, 0);
  g_assert_true (undo (fixture));
  g_assert_cmpfloat (retry_member (fixture, "initial_delay"), ==, 1);
  g_assert_true (undo (fixture));
  g_assert_cmpfloat (retry_member (fixture, "max_attempts"), ==, 3);
  g_assert_true (undo (fixture));
  g_assert_cmpfloat (retry_member (fixture, "max_attempts"), ==, -1);
  /* The form follows. */
  g_assert_false (gtk_switch_get_active (GTK_SWITCH (toggle)));
}

/* ---- the flow --------------------------------------------------------------------------- */

static gboolean
name_is_orders (gpointer data)
{
  Fixture *fixture = data;

  return g_strcmp0 (deca_flow_document_get_name (fixture->document), "Orders") == 0;
}

static gboolean
description_is_set (gpointer data)
{
  Fixture *fixture = data;

  return g_strcmp0 (deca_flow_document_get_description (fixture->document), "Takes orders") == 0;
}

typedef struct {
  Fixture *fixture;
  const char *member;
  const char *json;
} SettingsWait;

static gboolean
settings_member_is (gpointer data)
{
  SettingsWait *wait = data;
  g_autoptr(JsonObject) settings = deca_flow_document_get_settings (wait->fixture->document);
  g_autoptr(JsonNode) expected = deca_json_parse (wait->json, -1, NULL);

  return json_object_has_member (settings, wait->member) &&
         json_node_equal (json_object_get_member (settings, wait->member), expected);
}

static void
test_flow_settings (Fixture       *fixture,
                    gconstpointer  data)
{
  GtkWidget *name = deca_inspector_get_part (fixture->inspector, "flow-name");
  GtkWidget *description = deca_inspector_get_part (fixture->inspector, "flow-description");
  GtkWidget *timeout = deca_inspector_get_part (fixture->inspector, "flow-timeout");
  GtkWidget *parallelism = deca_inspector_get_part (fixture->inspector, "parallelism");
  GtkWidget *strategy = deca_inspector_get_part (fixture->inspector, "error-strategy");
  SettingsWait wait = { fixture, "parallelism", "8" };

  g_assert_cmpstr (deca_inspector_get_page (fixture->inspector), ==, "flow");
  g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (name)), ==, "Untitled flow");

  click_center (fixture, name);
  select_all_and_type (name, "Orders");
  g_assert_true (deca_ui_test_wait_until (name_is_orders, fixture, 5000));

  click_center (fixture, description);
  deca_ui_test_type_text (description, "Takes orders");
  g_assert_true (deca_ui_test_wait_until (description_is_set, fixture, 5000));

  click_left (fixture, parallelism);
  select_all_and_type (parallelism, "8");
  deca_ui_test_key (parallelism, GDK_KEY_Tab, 0);
  g_assert_true (deca_ui_test_wait_until (settings_member_is, &wait, 5000));

  click_left (fixture, timeout);
  select_all_and_type (timeout, "90");
  deca_ui_test_key (timeout, GDK_KEY_Tab, 0);
  wait.member = "timeout";
  wait.json = "90";
  g_assert_true (deca_ui_test_wait_until (settings_member_is, &wait, 5000));

  click_center (fixture, strategy);
  click_label (strategy, "Continue with the rest");
  wait.member = "error_strategy";
  wait.json = "\"continue_on_error\"";
  g_assert_true (deca_ui_test_wait_until (settings_member_is, &wait, 5000));
  /* Settings the form does not show stay. */
  wait.member = "parallelism";
  wait.json = "8";
  g_assert_true (settings_member_is (&wait));

  /* The circuit breaker: only what was changed is written. */
  {
    GtkWidget *threshold = deca_inspector_get_part (fixture->inspector, "failure-threshold");
    g_autoptr(JsonObject) settings = NULL;
    JsonObject *breaker;

    click_left (fixture, threshold);
    select_all_and_type (threshold, "3");
    deca_ui_test_key (threshold, GDK_KEY_Tab, 0);
    wait.member = "circuit_breaker";
    wait.json = "{\"failure_threshold\": 3}";
    g_assert_true (deca_ui_test_wait_until (settings_member_is, &wait, 5000));
    settings = deca_flow_document_get_settings (fixture->document);
    breaker = json_object_get_object_member (settings, "circuit_breaker");
    g_assert_false (json_object_has_member (breaker, "cooldown"));
  }

  /* Out of range in the document (another editor, a file): shown on the row. */
  {
    g_autoptr(JsonObject) settings = deca_flow_document_get_settings (fixture->document);
    GtkWidget *row = gtk_widget_get_ancestor (parallelism, ADW_TYPE_ACTION_ROW);

    json_object_set_int_member (settings, "parallelism", 5000);
    deca_flow_document_set_settings (fixture->document, settings);
    deca_ui_test_iterate ();
    g_assert_true (gtk_widget_has_css_class (row, "deca-field-invalid"));
    g_assert_true (undo (fixture));
    deca_ui_test_iterate ();
    g_assert_false (gtk_widget_has_css_class (row, "deca-field-invalid"));
  }

  g_assert_true (document_undo_all (fixture));
  g_assert_cmpstr (deca_flow_document_get_name (fixture->document), ==, "Untitled flow");
  g_assert_null (deca_flow_document_get_description (fixture->document));
  g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (description)), ==, "");
  {
    g_autoptr(JsonObject) settings = deca_flow_document_get_settings (fixture->document);
    g_assert_cmpuint (json_object_get_size (settings), ==, 0);
  }
}

static const char *
row_subtitle (GtkWidget *row)
{
  return adw_action_row_get_subtitle (ADW_ACTION_ROW (row));
}

typedef struct {
  GtkWidget *row;
  const char *text;
} SubtitleWait;

static gboolean
subtitle_is (gpointer data)
{
  SubtitleWait *wait = data;

  return g_strcmp0 (row_subtitle (wait->row), wait->text) == 0;
}

static gboolean
subtitle_contains (gpointer data)
{
  SubtitleWait *wait = data;
  const char *subtitle = row_subtitle (wait->row);

  return subtitle && strstr (subtitle, wait->text);
}

typedef struct {
  Fixture *fixture;
  const char *cron;
} TriggerWait;

static gboolean
trigger_cron_is (gpointer data)
{
  TriggerWait *wait = data;
  g_autoptr(JsonArray) triggers = deca_flow_document_get_triggers (wait->fixture->document);

  return json_array_get_length (triggers) == 1 &&
         g_strcmp0 (json_object_get_string_member_with_default (json_array_get_object_element (triggers, 0),
                                                                "cron", ""), wait->cron) == 0;
}

static void
test_triggers (Fixture       *fixture,
               gconstpointer  data)
{
  DecaTriggerEditor *editor = DECA_TRIGGER_EDITOR (deca_inspector_get_part (fixture->inspector, "trigger-editor"));
  GtkWidget *add = deca_ui_test_find_type (GTK_WIDGET (editor), GTK_TYPE_MENU_BUTTON);
  GtkWidget *cron;
  GtkWidget *zone;
  GtkWidget *description;
  GtkWidget *next;
  GtkWidget *cron_error;
  g_autofree char *expected = deca_cron_describe ("*/15 * * * *", NULL);
  SubtitleWait subtitle = { NULL, expected };
  TriggerWait wait = { fixture, "*/15 * * * *" };
  g_autoptr(JsonArray) triggers = NULL;

  g_assert_nonnull (add);
  click_center (fixture, add);
  click_label (add, "Schedule");
  triggers = deca_flow_document_get_triggers (fixture->document);
  g_assert_cmpuint (json_array_get_length (triggers), ==, 1);
  g_assert_cmpstr (json_object_get_string_member (json_array_get_object_element (triggers, 0), "type"),
                   ==, "schedule");

  wait_drawn (fixture);
  cron = deca_trigger_editor_get_trigger_widget (editor, 0, "cron");
  zone = deca_trigger_editor_get_trigger_widget (editor, 0, "timezone");
  description = deca_trigger_editor_get_trigger_widget (editor, 0, "description");
  next = deca_trigger_editor_get_trigger_widget (editor, 0, "next-times");
  cron_error = deca_trigger_editor_get_trigger_widget (editor, 0, "error:cron");
  g_assert_nonnull (cron);

  click_center (fixture, cron);
  select_all_and_type (cron, "*/15 * * * *");
  subtitle.row = description;
  g_assert_true (deca_ui_test_wait_until (subtitle_is, &subtitle, 5000));
  g_assert_true (deca_ui_test_wait_until (trigger_cron_is, &wait, 5000));
  /* Five next times, in UTC by default. */
  {
    g_auto(GStrv) lines = g_strsplit (row_subtitle (next), "\n", -1);

    g_assert_cmpuint (g_strv_length (lines), ==, 5);
    g_assert_nonnull (strstr (lines[0], "UTC"));
  }

  /* In another time zone the times are that zone's. */
  click_center (fixture, zone);
  select_all_and_type (zone, "Asia/Tokyo");
  subtitle.row = next;
  subtitle.text = "JST";
  g_assert_true (deca_ui_test_wait_until (subtitle_contains, &subtitle, 5000));
  {
    g_auto(GStrv) lines = g_strsplit (row_subtitle (next), "\n", -1);
    g_assert_cmpuint (g_strv_length (lines), ==, 5);
  }

  /* A bad cron: an inline error naming the field, and no times. */
  click_center (fixture, cron);
  select_all_and_type (cron, "61 * * * *");
  g_assert_true (deca_ui_test_wait_until (label_visible, cron_error, 5000));
  g_assert_nonnull (strstr (adw_preferences_row_get_title (ADW_PREFERENCES_ROW (cron_error)), "minute"));
  wait.cron = "61 * * * *";
  g_assert_true (deca_ui_test_wait_until (trigger_cron_is, &wait, 5000));

  /* A bad time zone too. */
  {
    GtkWidget *zone_error = deca_trigger_editor_get_trigger_widget (editor, 0, "error:timezone");

    click_center (fixture, zone);
    select_all_and_type (zone, "Mars/Olympus");
    g_assert_true (deca_ui_test_wait_until (label_visible, zone_error, 5000));
  }

  /* Remove it; undo brings everything back step by step. */
  click_center (fixture, deca_trigger_editor_get_trigger_widget (editor, 0, "remove"));
  g_clear_pointer (&triggers, json_array_unref);
  triggers = deca_flow_document_get_triggers (fixture->document);
  g_assert_cmpuint (json_array_get_length (triggers), ==, 0);
  g_assert_true (undo (fixture));
  g_assert_nonnull (deca_trigger_editor_get_trigger_row (editor, 0));
  g_assert_true (document_undo_all (fixture));
  g_clear_pointer (&triggers, json_array_unref);
  triggers = deca_flow_document_get_triggers (fixture->document);
  g_assert_cmpuint (json_array_get_length (triggers), ==, 0);
  g_assert_null (deca_trigger_editor_get_trigger_row (editor, 0));
}

typedef struct {
  Fixture *fixture;
  const char *missed;    /* NULL: absent */
  gint64 limit;          /* 0: absent */
} MissedWait;

static gboolean
trigger_missed_is (gpointer data)
{
  MissedWait *wait = data;
  g_autoptr(JsonArray) triggers = deca_flow_document_get_triggers (wait->fixture->document);
  JsonObject *trigger;

  if (json_array_get_length (triggers) != 1)
    return FALSE;
  trigger = json_array_get_object_element (triggers, 0);
  if (g_strcmp0 (json_object_get_string_member_with_default (trigger, "missed", NULL),
                 wait->missed) != 0)
    return FALSE;
  if (wait->limit == 0)
    return !json_object_has_member (trigger, "catch_up_limit");
  return json_object_get_int_member_with_default (trigger, "catch_up_limit", 0) == wait->limit;
}

/* What a schedule does with the times missed while the server was down: a drop-down, and
 * a limit that shows only for "run each". */
static void
test_schedule_missed_runs (Fixture       *fixture,
                           gconstpointer  data)
{
  DecaTriggerEditor *editor = DECA_TRIGGER_EDITOR (deca_inspector_get_part (fixture->inspector, "trigger-editor"));
  GtkWidget *add = deca_ui_test_find_type (GTK_WIDGET (editor), GTK_TYPE_MENU_BUTTON);
  GtkWidget *missed, *limit;
  MissedWait wait = { fixture, NULL, 0 };

  click_center (fixture, add);
  click_label (add, "Schedule");
  wait_drawn (fixture);
  missed = deca_trigger_editor_get_trigger_widget (editor, 0, "missed");
  limit = deca_trigger_editor_get_trigger_widget (editor, 0, "catch-up-limit");
  g_assert_nonnull (missed);
  /* The format's default, and nothing written for it. */
  g_assert_cmpuint (adw_combo_row_get_selected (ADW_COMBO_ROW (missed)), ==, 0);
  g_assert_false (gtk_widget_get_visible (gtk_widget_get_ancestor (limit, ADW_TYPE_ACTION_ROW)));
  g_assert_true (trigger_missed_is (&wait));

  /* Run each, at most 3: Space on the row opens the choices. */
  scroll_near_top (fixture, missed);
  gtk_widget_grab_focus (missed);
  deca_ui_test_key (missed, GDK_KEY_space, 0);
  click_label (missed, "Run each, up to a limit");
  wait.missed = "run_all";
  g_assert_true (deca_ui_test_wait_until (trigger_missed_is, &wait, 5000));
  wait_drawn (fixture);
  g_assert_true (gtk_widget_get_visible (gtk_widget_get_ancestor (limit, ADW_TYPE_ACTION_ROW)));
  /* Tab would reach it next; focusing it directly keeps the test off pointer positions. */
  gtk_widget_grab_focus (limit);
  select_all_and_type (limit, "3");
  deca_ui_test_key (limit, GDK_KEY_Return, 0);
  wait.limit = 3;
  g_assert_true (deca_ui_test_wait_until (trigger_missed_is, &wait, 5000));

  /* Skip: the limit goes out of sight and is kept in the document as it was. */
  scroll_near_top (fixture, missed);
  gtk_widget_grab_focus (missed);
  deca_ui_test_key (missed, GDK_KEY_space, 0);
  click_label (missed, "Skip them");
  wait.missed = "skip";
  g_assert_true (deca_ui_test_wait_until (trigger_missed_is, &wait, 5000));
  wait_drawn (fixture);
  g_assert_false (gtk_widget_get_visible (gtk_widget_get_ancestor (limit, ADW_TYPE_ACTION_ROW)));

  /* Undo goes back through the choices. */
  g_assert_true (undo (fixture));
  wait.missed = "run_all";
  g_assert_true (deca_ui_test_wait_until (trigger_missed_is, &wait, 5000));
  g_assert_cmpuint (adw_combo_row_get_selected (ADW_COMBO_ROW (missed)), ==, 2);
}

static gboolean
popover_lists (gpointer data)
{
  LabelWait *wait = data;

  if (!gtk_widget_get_mapped (wait->root))
    return FALSE;
  wait->found = find_label (wait->root, wait->text);
  return wait->found != NULL;
}

static gboolean
widget_unmapped (gpointer data)
{
  return !gtk_widget_get_mapped (data);
}

typedef struct {
  Fixture *fixture;
  const char *zone;
} ZoneWait;

static gboolean
trigger_zone_is (gpointer data)
{
  ZoneWait *wait = data;
  g_autoptr(JsonArray) triggers = deca_flow_document_get_triggers (wait->fixture->document);

  return json_array_get_length (triggers) == 1 &&
         g_strcmp0 (json_object_get_string_member_with_default (json_array_get_object_element (triggers, 0),
                                                                "timezone", ""), wait->zone) == 0;
}

static gboolean
revealed (gpointer data)
{
  return gtk_revealer_get_child_revealed (data);
}

/* The time zone field suggests the system's zones as the person types. */
static void
test_time_zone_suggestions (Fixture       *fixture,
                            gconstpointer  data)
{
  DecaTriggerEditor *editor = DECA_TRIGGER_EDITOR (deca_inspector_get_part (fixture->inspector, "trigger-editor"));
  GtkWidget *zone;
  GtkWidget *suggestions;
  GtkWidget *zone_error;
  LabelWait berlin = { NULL, "Europe/Berlin", NULL };
  LabelWait tokyo = { NULL, "Asia/Tokyo", NULL };
  ZoneWait chosen = { fixture, "Europe/Berlin" };

  deca_trigger_editor_add (editor, "schedule");
  /* The new trigger opens with an animation: the fields move until it ends. */
  g_assert_true (deca_ui_test_wait_until (revealed,
                                          deca_ui_test_find_type (deca_trigger_editor_get_trigger_row (editor, 0),
                                                                  GTK_TYPE_REVEALER),
                                          5000));
  wait_drawn (fixture);
  zone = deca_trigger_editor_get_trigger_widget (editor, 0, "timezone");
  suggestions = deca_trigger_editor_get_trigger_widget (editor, 0, "timezone-suggestions");
  zone_error = deca_trigger_editor_get_trigger_widget (editor, 0, "error:timezone");
  g_assert_nonnull (suggestions);
  berlin.root = tokyo.root = suggestions;

  /* Any part of the name, ignoring case. */
  click_center (fixture, zone);
  g_assert_true (deca_ui_test_wait_until (has_focus_within, zone, 5000));
  select_all_and_type (zone, "berl");
  g_assert_true (deca_ui_test_wait_until (popover_lists, &berlin, 5000));
  /* While it is open, the keys stay in the field. */
  g_assert_true (has_focus_within (zone));
  deca_ui_test_key (zone, GDK_KEY_Down, 0);
  deca_ui_test_key (zone, GDK_KEY_Return, 0);
  g_assert_true (deca_ui_test_wait_until (trigger_zone_is, &chosen, 5000));
  g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (zone)), ==, "Europe/Berlin");
  g_assert_true (deca_ui_test_wait_until (widget_unmapped, suggestions, 5000));
  g_assert_false (gtk_widget_get_visible (zone_error));

  /* With the pointer; "tok" is the start of a part of Asia/Tokyo. */
  select_all_and_type (zone, "TOK");
  g_assert_true (deca_ui_test_wait_until (popover_lists, &tokyo, 5000));
  /* The list got shorter with each key: the popover may still move into place. */
  deca_ui_test_wait_still (suggestions);
  g_assert_true (popover_lists (&tokyo));
  deca_ui_test_wait_still (tokyo.found);
  deca_ui_test_click_widget (tokyo.found);
  chosen.zone = "Asia/Tokyo";
  g_assert_true (deca_ui_test_wait_until (trigger_zone_is, &chosen, 5000));
  g_assert_true (has_focus_within (zone));

  /* Escape closes the list; a zone that does not exist is still an error. */
  select_all_and_type (zone, "Mars/Oly");
  deca_ui_test_key (zone, GDK_KEY_Escape, 0);
  g_assert_true (deca_ui_test_wait_until (label_visible, zone_error, 5000));
  g_assert_nonnull (strstr (adw_preferences_row_get_title (ADW_PREFERENCES_ROW (zone_error)), "Mars/Oly"));
  g_assert_false (gtk_widget_get_mapped (suggestions));
}

static gboolean
condition_is (gpointer data)
{
  DecaFlowConnectionItem *connection = data;

  return g_strcmp0 (deca_flow_connection_item_get_condition (connection), "transform.total > 10") == 0;
}

static void
test_connection (Fixture       *fixture,
                 gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  DecaFlowConnectionItem *connection;
  DecaExpressionView *condition;
  GtkWidget *text;

  connection = deca_flow_document_connect (fixture->document, "transform", NULL, "condition", NULL,
                                           NULL, FALSE, &error);
  g_assert_no_error (error);
  deca_inspector_set_connection (fixture->inspector, connection);
  g_assert_cmpstr (deca_inspector_get_page (fixture->inspector), ==, "connection");
  wait_drawn (fixture);

  condition = DECA_EXPRESSION_VIEW (deca_inspector_get_part (fixture->inspector, "condition"));
  text = GTK_WIDGET (deca_expression_view_get_source_view (condition));
  click_center (fixture, text);
  deca_ui_test_type_text (text, "transform.total > 10");
  g_assert_true (deca_ui_test_wait_until (condition_is, connection, 5000));

  /* A broken expression: the validator's problem on the field. */
  deca_ui_test_type_text (text, " &&");
  g_assert_true (deca_ui_test_wait_until (view_has_error, condition, 5000));
  deca_ui_test_key (text, GDK_KEY_BackSpace, 0);
  deca_ui_test_key (text, GDK_KEY_BackSpace, 0);
  deca_ui_test_key (text, GDK_KEY_BackSpace, 0);
  g_assert_true (deca_ui_test_wait_until (view_has_no_error, condition, 5000));
  g_assert_true (deca_ui_test_wait_until (condition_is, connection, 5000));

  /* Close a completion popup that typing may have opened: a click outside a popup only
   * closes it. */
  deca_ui_test_key (text, GDK_KEY_Escape, 0);
  click_center (fixture, deca_inspector_get_part (fixture->inspector, "delete-connection"));
  g_assert_cmpuint (g_list_model_get_n_items (deca_flow_document_get_connections (fixture->document)), ==, 0);
  g_assert_cmpstr (deca_inspector_get_page (fixture->inspector), ==, "flow");
  g_assert_null (deca_inspector_get_connection (fixture->inspector));

  g_assert_true (undo (fixture));
  g_assert_cmpuint (g_list_model_get_n_items (deca_flow_document_get_connections (fixture->document)), ==, 1);
}

typedef struct {
  Fixture *fixture;
  const char *member;
  const char *value;
} WebhookWait;

static gboolean
trigger_member_is (gpointer data)
{
  WebhookWait *wait = data;
  g_autoptr(JsonArray) triggers = deca_flow_document_get_triggers (wait->fixture->document);
  JsonObject *trigger;

  if (json_array_get_length (triggers) == 0)
    return FALSE;
  trigger = json_array_get_object_element (triggers, json_array_get_length (triggers) - 1);
  return g_strcmp0 (json_object_get_string_member_with_default (trigger, wait->member, ""),
                    wait->value) == 0;
}

static void
test_webhook_and_event (Fixture       *fixture,
                        gconstpointer  data)
{
  DecaTriggerEditor *editor = DECA_TRIGGER_EDITOR (deca_inspector_get_part (fixture->inspector, "trigger-editor"));
  WebhookWait wait = { fixture, "path", "orders" };
  GtkWidget *path;
  GtkWidget *path_error;
  GtkWidget *method;
  GtkWidget *event;
  GtkWidget *event_error;

  deca_trigger_editor_add (editor, "webhook");
  wait_drawn (fixture);
  path = deca_trigger_editor_get_trigger_widget (editor, 0, "path");
  path_error = deca_trigger_editor_get_trigger_widget (editor, 0, "error:path");
  method = deca_trigger_editor_get_trigger_widget (editor, 0, "method");
  g_assert_true (ADW_IS_ENTRY_ROW (path));

  /* A path without its slash: the validator's problem, inline, as typed. */
  click_center (fixture, path);
  select_all_and_type (path, "orders");
  g_assert_true (deca_ui_test_wait_until (trigger_member_is, &wait, 5000));
  g_assert_true (deca_ui_test_wait_until (label_visible, path_error, 5000));
  g_assert_nonnull (strstr (adw_preferences_row_get_title (ADW_PREFERENCES_ROW (path_error)), "/"));
  deca_ui_test_key (path, GDK_KEY_Home, 0);
  deca_ui_test_type_text (path, "/");
  wait.value = "/orders";
  g_assert_true (deca_ui_test_wait_until (trigger_member_is, &wait, 5000));
  g_assert_false (gtk_widget_get_visible (path_error));

  click_center (fixture, method);
  click_label (method, "PUT");
  wait.member = "method";
  wait.value = "PUT";
  g_assert_true (deca_ui_test_wait_until (trigger_member_is, &wait, 5000));

  /* An event trigger starts empty, which the validator refuses until it has a name. */
  deca_trigger_editor_add (editor, "event");
  wait_drawn (fixture);
  event = deca_trigger_editor_get_trigger_widget (editor, 1, "event");
  event_error = deca_trigger_editor_get_trigger_widget (editor, 1, "error:event");
  g_assert_true (gtk_widget_get_visible (event_error));
  click_center (fixture, event);
  deca_ui_test_type_text (event, "order.created");
  wait.member = "event";
  wait.value = "order.created";
  g_assert_true (deca_ui_test_wait_until (trigger_member_is, &wait, 5000));
  g_assert_false (gtk_widget_get_visible (event_error));

  /* Manual has nothing to edit; four triggers, one undo step each. */
  deca_trigger_editor_add (editor, "manual");
  g_assert_nonnull (deca_trigger_editor_get_trigger_row (editor, 2));
  g_assert_true (document_undo_all (fixture));
  g_assert_null (deca_trigger_editor_get_trigger_row (editor, 0));
}

/* The member @member of the first trigger, or NULL when it is absent. */
static JsonNode *
trigger_member (Fixture    *fixture,
                const char *member)
{
  g_autoptr(JsonArray) triggers = deca_flow_document_get_triggers (fixture->document);
  JsonObject *trigger;

  if (json_array_get_length (triggers) == 0)
    return NULL;
  trigger = json_array_get_object_element (triggers, 0);
  return json_object_has_member (trigger, member)
           ? json_node_copy (json_object_get_member (trigger, member)) : NULL;
}

typedef struct {
  Fixture *fixture;
  const char *member;
  const char *json;     /* the expected value as JSON text; NULL: absent */
} TriggerJsonWait;

static gboolean
trigger_json_is (gpointer data)
{
  TriggerJsonWait *wait = data;
  g_autoptr(JsonNode) value = trigger_member (wait->fixture, wait->member);
  g_autoptr(JsonNode) expected = wait->json ? deca_json_parse (wait->json, -1, NULL) : NULL;

  if (value == NULL || expected == NULL)
    return value == NULL && expected == NULL;
  return json_node_equal (value, expected);
}

static void
assert_trigger_becomes (Fixture    *fixture,
                        const char *member,
                        const char *json)
{
  TriggerJsonWait wait = { fixture, member, json };

  if (!deca_ui_test_wait_until (trigger_json_is, &wait, 5000))
    {
      g_autoptr(JsonNode) value = trigger_member (fixture, member);
      g_autofree char *text = deca_json_to_string (value, FALSE);

      g_error ("trigger member %s is %s, expected %s", member, text, json ? json : "absent");
    }
}

typedef struct {
  GtkWidget *row;
  const char *title;
} TitleWait;

static gboolean
title_is (gpointer data)
{
  TitleWait *wait = data;

  return g_strcmp0 (adw_preferences_row_get_title (ADW_PREFERENCES_ROW (wait->row)), wait->title) == 0;
}

static void
clipboard_text_cb (GObject      *source,
                   GAsyncResult *result,
                   gpointer      data)
{
  char **text = data;

  *text = gdk_clipboard_read_text_finish (GDK_CLIPBOARD (source), result, NULL);
  if (*text == NULL)
    *text = g_strdup ("");
}

static gboolean
string_set (gpointer data)
{
  return *(char **) data != NULL;
}

/* Picks @label from the drop-down @combo, opened with the keyboard: Space on the focused
 * row (a click near the bottom of the tall test window can miss the list). */
static void
choose_with_keyboard (Fixture    *fixture,
                      GtkWidget  *combo,
                      const char *label)
{
  scroll_near_top (fixture, combo);
  gtk_widget_grab_focus (combo);
  deca_ui_test_key (combo, GDK_KEY_space, 0);
  click_label (combo, label);
}

/* A webhook's URL, response timeout and signature check. */
static void
test_webhook_options (Fixture       *fixture,
                      gconstpointer  data)
{
  DecaTriggerEditor *editor = DECA_TRIGGER_EDITOR (deca_inspector_get_part (fixture->inspector, "trigger-editor"));
  GtkWidget *path, *url, *copy, *timeout, *auth, *header, *credential, *prefix;
  GtkWidget *header_error, *credential_error, *auth_error, *type_error;
  g_autofree char *first_url = NULL;
  g_autofree char *copied = NULL;
  TitleWait title = { NULL, NULL };

  deca_trigger_editor_add (editor, "webhook");
  g_assert_true (deca_ui_test_wait_until (revealed,
                                          deca_ui_test_find_type (deca_trigger_editor_get_trigger_row (editor, 0),
                                                                  GTK_TYPE_REVEALER),
                                          5000));
  wait_drawn (fixture);
  path = deca_trigger_editor_get_trigger_widget (editor, 0, "path");
  url = deca_trigger_editor_get_trigger_widget (editor, 0, "url");
  copy = deca_trigger_editor_get_trigger_widget (editor, 0, "copy-url");
  timeout = deca_trigger_editor_get_trigger_widget (editor, 0, "response-timeout");
  auth = deca_trigger_editor_get_trigger_widget (editor, 0, "auth");
  header = deca_trigger_editor_get_trigger_widget (editor, 0, "auth-header");
  credential = deca_trigger_editor_get_trigger_widget (editor, 0, "auth-credential");
  prefix = deca_trigger_editor_get_trigger_widget (editor, 0, "auth-prefix");
  header_error = deca_trigger_editor_get_trigger_widget (editor, 0, "error:auth/header");
  credential_error = deca_trigger_editor_get_trigger_widget (editor, 0, "error:auth/credential");
  auth_error = deca_trigger_editor_get_trigger_widget (editor, 0, "error:auth");
  type_error = deca_trigger_editor_get_trigger_widget (editor, 0, "error:type");
  g_assert_nonnull (url);
  g_assert_nonnull (timeout);
  g_assert_nonnull (auth);
  g_assert_nonnull (header_error);
  g_assert_nonnull (credential_error);

  /* The URL to call, with the workspace left as a placeholder the subtitle explains; it
   * follows the path as it is typed. */
  first_url = g_strdup_printf ("POST /webhook/{workspace}/%s", deca_flow_document_get_id (fixture->document));
  g_assert_cmpstr (adw_preferences_row_get_title (ADW_PREFERENCES_ROW (url)), ==, first_url);
  g_assert_nonnull (strstr (row_subtitle (url), "{workspace}"));
  click_center (fixture, path);
  select_all_and_type (path, "/orders");
  title.row = url;
  title.title = "POST /webhook/{workspace}/orders";
  g_assert_true (deca_ui_test_wait_until (title_is, &title, 5000));
  click_center (fixture, copy);
  gdk_clipboard_read_text_async (gtk_widget_get_clipboard (copy), NULL, clipboard_text_cb, &copied);
  g_assert_true (deca_ui_test_wait_until (string_set, &copied, 5000));
  g_assert_cmpstr (copied, ==, "/webhook/{workspace}/orders");

  /* The response timeout: empty with the default as placeholder, nothing written; a
   * number typed is written, emptying the field removes it. */
  g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (timeout)), ==, "");
  g_assert_cmpstr (spin_placeholder (timeout), ==, "30 (default)");
  assert_trigger_becomes (fixture, "response_timeout", NULL);
  click_left (fixture, timeout);
  deca_ui_test_type_text (timeout, "90");
  deca_ui_test_key (timeout, GDK_KEY_Tab, 0);
  assert_trigger_becomes (fixture, "response_timeout", "90");
  click_left (fixture, timeout);
  deca_ui_test_key (timeout, GDK_KEY_a, GDK_CONTROL_MASK);
  deca_ui_test_key (timeout, GDK_KEY_BackSpace, 0);
  deca_ui_test_key (timeout, GDK_KEY_Tab, 0);
  assert_trigger_becomes (fixture, "response_timeout", NULL);
  g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (timeout)), ==, "");

  /* No check at first, and no fields for one. */
  g_assert_cmpuint (adw_combo_row_get_selected (ADW_COMBO_ROW (auth)), ==, 0);
  g_assert_false (gtk_widget_get_visible (header));
  g_assert_false (gtk_widget_get_visible (credential));
  assert_trigger_becomes (fixture, "auth", NULL);

  /* An HMAC signature: its fields appear, and the missing credential is an error on the
   * credential's row, not on the trigger's. */
  choose_with_keyboard (fixture, auth, "HMAC-SHA256 signature");
  assert_trigger_becomes (fixture, "auth", "{\"type\": \"hmac-sha256\"}");
  g_assert_cmpstr (row_subtitle (auth), ==, "HMAC-SHA256 signature");
  g_assert_true (gtk_widget_get_visible (header));
  g_assert_true (gtk_widget_get_visible (credential));
  g_assert_true (gtk_widget_get_visible (prefix));
  g_assert_cmpstr (gtk_text_get_placeholder_text (GTK_TEXT (gtk_editable_get_delegate (GTK_EDITABLE (header)))),
                   ==, "X-Signature-256");
  g_assert_cmpstr (gtk_text_get_placeholder_text (GTK_TEXT (gtk_editable_get_delegate (GTK_EDITABLE (prefix)))),
                   ==, "sha256=");
  g_assert_true (deca_ui_test_wait_until (label_visible, credential_error, 5000));
  g_assert_nonnull (strstr (adw_preferences_row_get_title (ADW_PREFERENCES_ROW (credential_error)), "credential"));
  g_assert_true (gtk_widget_has_css_class (credential, "error"));
  g_assert_false (gtk_widget_get_visible (type_error));
  g_assert_false (gtk_widget_get_visible (auth_error));

  /* A header name with a space: the error is on the header's row. */
  click_center (fixture, header);
  deca_ui_test_type_text (header, "X Hub");
  assert_trigger_becomes (fixture, "auth", "{\"type\": \"hmac-sha256\", \"header\": \"X Hub\"}");
  g_assert_true (deca_ui_test_wait_until (label_visible, header_error, 5000));
  g_assert_nonnull (strstr (adw_preferences_row_get_title (ADW_PREFERENCES_ROW (header_error)), "header"));
  g_assert_false (gtk_widget_get_visible (type_error));
  g_assert_false (gtk_widget_get_visible (auth_error));
  select_all_and_type (header, "X-Hub-Signature-256");
  assert_trigger_becomes (fixture, "auth",
                          "{\"type\": \"hmac-sha256\", \"header\": \"X-Hub-Signature-256\"}");
  g_assert_false (gtk_widget_get_visible (header_error));

  click_center (fixture, credential);
  deca_ui_test_type_text (credential, "github-hook");
  assert_trigger_becomes (fixture, "auth",
                          "{\"type\": \"hmac-sha256\", \"header\": \"X-Hub-Signature-256\","
                          " \"credential\": \"github-hook\"}");
  g_assert_false (gtk_widget_get_visible (credential_error));
  g_assert_false (gtk_widget_has_css_class (credential, "error"));

  /* None removes the check; one undo brings it back whole. */
  choose_with_keyboard (fixture, auth, "None");
  assert_trigger_becomes (fixture, "auth", NULL);
  g_assert_false (gtk_widget_get_visible (header));
  g_assert_true (undo (fixture));
  assert_trigger_becomes (fixture, "auth",
                          "{\"type\": \"hmac-sha256\", \"header\": \"X-Hub-Signature-256\","
                          " \"credential\": \"github-hook\"}");
  g_assert_cmpuint (adw_combo_row_get_selected (ADW_COMBO_ROW (auth)), ==, 2);
  g_assert_true (gtk_widget_get_visible (header));
  g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (header)), ==, "X-Hub-Signature-256");

  /* The typing in each field was one step of its own. */
  g_assert_true (undo (fixture));
  assert_trigger_becomes (fixture, "auth",
                          "{\"type\": \"hmac-sha256\", \"header\": \"X-Hub-Signature-256\"}");
  g_assert_true (undo (fixture));
  assert_trigger_becomes (fixture, "auth", "{\"type\": \"hmac-sha256\"}");
  g_assert_true (undo (fixture));
  assert_trigger_becomes (fixture, "auth", NULL);
}

/* A check the drop-down does not offer is shown as it is, with the validator's problem on
 * the check's row, and stays as it is while other fields are edited. */
static void
test_webhook_other_auth (Fixture       *fixture,
                         gconstpointer  data)
{
  DecaTriggerEditor *editor = DECA_TRIGGER_EDITOR (deca_inspector_get_part (fixture->inspector, "trigger-editor"));
  const char *json = "[{\"type\": \"webhook\", \"path\": \"/orders\", \"response_timeout\": 500,"
                     " \"auth\": {\"type\": \"basic\", \"header\": \"X Bad\"}}]";
  g_autoptr(JsonNode) triggers = deca_json_parse (json, -1, NULL);
  GtkWidget *auth, *auth_error, *header, *path, *timeout_error;

  deca_flow_document_set_triggers (fixture->document, json_node_get_array (triggers));
  adw_expander_row_set_expanded (ADW_EXPANDER_ROW (deca_trigger_editor_get_trigger_row (editor, 0)), TRUE);
  g_assert_true (deca_ui_test_wait_until (revealed,
                                          deca_ui_test_find_type (deca_trigger_editor_get_trigger_row (editor, 0),
                                                                  GTK_TYPE_REVEALER),
                                          5000));
  wait_drawn (fixture);
  auth = deca_trigger_editor_get_trigger_widget (editor, 0, "auth");
  auth_error = deca_trigger_editor_get_trigger_widget (editor, 0, "error:auth");
  timeout_error = deca_trigger_editor_get_trigger_widget (editor, 0, "error:response_timeout");
  header = deca_trigger_editor_get_trigger_widget (editor, 0, "auth-header");
  path = deca_trigger_editor_get_trigger_widget (editor, 0, "path");

  g_assert_cmpstr (row_subtitle (auth), ==, "Other: basic");
  g_assert_false (gtk_widget_get_visible (header));
  g_assert_true (deca_ui_test_wait_until (label_visible, auth_error, 5000));
  g_assert_nonnull (strstr (adw_preferences_row_get_title (ADW_PREFERENCES_ROW (auth_error)), "hmac-sha256"));
  /* The timeout as the document has it, not clamped to what the field can hold. */
  g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (deca_trigger_editor_get_trigger_widget (editor, 0, "response-timeout"))),
                   ==, "500");
  g_assert_true (gtk_widget_get_visible (timeout_error));
  g_assert_nonnull (strstr (adw_preferences_row_get_title (ADW_PREFERENCES_ROW (timeout_error)), "300"));

  click_center (fixture, path);
  deca_ui_test_type_text (path, "-2");
  assert_trigger_becomes (fixture, "path", "\"/orders-2\"");
  assert_trigger_becomes (fixture, "auth", "{\"type\": \"basic\", \"header\": \"X Bad\"}");
  assert_trigger_becomes (fixture, "response_timeout", "500");

  /* Choosing a check replaces it, with the fields the old one had. */
  choose_with_keyboard (fixture, auth, "Shared secret in a header");
  assert_trigger_becomes (fixture, "auth", "{\"type\": \"header\", \"header\": \"X Bad\"}");
  g_assert_true (gtk_widget_get_visible (header));
  g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (header)), ==, "X Bad");
  g_assert_true (deca_ui_test_wait_until (label_visible,
                                          deca_trigger_editor_get_trigger_widget (editor, 0, "error:auth/header"),
                                          5000));
  g_assert_false (gtk_widget_get_visible (auth_error));

  /* A signature without a prefix (the bare digits) keeps its empty prefix while another
   * field of the check is edited; the empty field is the default only once it is edited. */
  {
    const char *bare = "[{\"type\": \"webhook\", \"path\": \"/orders\","
                       " \"auth\": {\"type\": \"hmac-sha256\", \"credential\": \"hook\", \"prefix\": \"\"}}]";
    g_autoptr(JsonNode) bare_triggers = deca_json_parse (bare, -1, NULL);
    GtkWidget *credential = deca_trigger_editor_get_trigger_widget (editor, 0, "auth-credential");

    deca_flow_document_set_triggers (fixture->document, json_node_get_array (bare_triggers));
    wait_drawn (fixture);
    click_center (fixture, credential);
    deca_ui_test_type_text (credential, "-2");
    assert_trigger_becomes (fixture, "auth",
                            "{\"type\": \"hmac-sha256\", \"credential\": \"hook-2\", \"prefix\": \"\"}");
  }
}

static void
test_languages (Fixture       *fixture,
                gconstpointer  data)
{
  DecaSchemaForm *form = show_node (fixture, "http");
  struct { const char *pointer; const char *language; } fields[] = {
    { "/url", "deca-template" },
    { "/body", "json" },
  };

  /* The bundled language definitions load: templates and expressions are highlighted. */
  for (guint i = 0; i < G_N_ELEMENTS (fields); i++)
    {
      GtkTextBuffer *buffer = gtk_text_view_get_buffer (GTK_TEXT_VIEW (field_input (form, fields[i].pointer)));
      GtkSourceLanguage *language = gtk_source_buffer_get_language (GTK_SOURCE_BUFFER (buffer));

      g_assert_nonnull (language);
      g_assert_cmpstr (gtk_source_language_get_id (language), ==, fields[i].language);
    }
  /* A header's value is a template too. */
  {
    DecaKeyValueEditor *editor = key_value_editor (form, "/headers");
    GtkTextBuffer *buffer;
    GtkSourceLanguage *language;

    click_center (fixture, deca_key_value_editor_get_part (editor, "add"));
    buffer = gtk_text_view_get_buffer (GTK_TEXT_VIEW (line_value_text (editor, 0)));
    language = gtk_source_buffer_get_language (GTK_SOURCE_BUFFER (buffer));
    g_assert_nonnull (language);
    g_assert_cmpstr (gtk_source_language_get_id (language), ==, "deca-template");
  }
  form = show_node (fixture, "condition");
  {
    GtkTextBuffer *buffer = gtk_text_view_get_buffer (GTK_TEXT_VIEW (field_input (form, "/expression")));
    GtkSourceLanguage *language = gtk_source_buffer_get_language (GTK_SOURCE_BUFFER (buffer));

    g_assert_nonnull (language);
    g_assert_cmpstr (gtk_source_language_get_id (language), ==, "deca-expression");
  }
}

static void
test_node_removed (Fixture       *fixture,
                   gconstpointer  data)
{
  const char *ids[] = { "condition", NULL };
  DecaSchemaForm *form = show_node (fixture, "condition");
  DecaExpressionView *expression = DECA_EXPRESSION_VIEW (deca_schema_form_get_field_row (form, "/expression"));

  /* A condition's expression is an expression field, required. */
  g_assert_cmpint (deca_expression_view_get_mode (expression), ==, DECA_EXPRESSION_VIEW_EXPRESSION);
  g_assert_true (deca_flow_document_remove_nodes (fixture->document, ids));
  g_assert_cmpstr (deca_inspector_get_page (fixture->inspector), ==, "flow");
  g_assert_null (deca_inspector_get_node_id (fixture->inspector));
}

/* Every built-in type renders a form, and every node of every example flow shows with its
 * problems, without a warning. */
static void
test_every_type_and_example (Fixture       *fixture,
                             gconstpointer  data)
{
  g_autoptr(GPtrArray) types = deca_node_registry_list (fixture->registry);
  g_autofree char *dir = g_build_filename (g_getenv ("DECA_SOURCE_DIR"), "data", "examples", NULL);
  g_autoptr(GDir) examples = g_dir_open (dir, 0, NULL);
  const char *name;

  for (guint i = 0; i < types->len; i++)
    {
      DecaNodeType *type = g_ptr_array_index (types, i);
      JsonObject *schema = json_node_get_object (deca_node_type_get_config_schema (type));
      JsonObject *properties = json_object_get_object_member (schema, "properties");
      g_autoptr(GError) error = NULL;
      DecaFlowNodeItem *node = deca_flow_document_add_node (fixture->document,
                                                            deca_node_type_get_name (type),
                                                            0, 0, &error);
      DecaSchemaForm *form;

      g_assert_no_error (error);
      form = show_node (fixture, deca_flow_node_item_get_id (node));
      /* A field per property (nested objects are groups of their own fields). */
      if (properties && json_object_get_size (properties) > 0)
        g_assert_cmpuint (deca_schema_form_get_n_fields (form), >, 0);
    }

  g_assert_nonnull (examples);
  while ((name = g_dir_read_name (examples)))
    {
      g_autoptr(DecaFlowDocument) document = NULL;
      GListModel *nodes;

      /* Inputs for deca run sit beside the flows. */
      if (!g_str_has_suffix (name, ".json") || g_str_has_suffix (name, ".input.json"))
        continue;
      document = deca_ui_test_load_example (fixture->registry, name);
      deca_inspector_set_document (fixture->inspector, document);
      nodes = deca_flow_document_get_nodes (document);
      for (guint i = 0; i < g_list_model_get_n_items (nodes); i++)
        {
          g_autoptr(DecaFlowNodeItem) node = g_list_model_get_item (nodes, i);

          show_node (fixture, deca_flow_node_item_get_id (node));
        }
      for (guint i = 0; i < g_list_model_get_n_items (deca_flow_document_get_connections (document)); i++)
        {
          g_autoptr(DecaFlowConnectionItem) connection =
            g_list_model_get_item (deca_flow_document_get_connections (document), i);

          deca_inspector_set_connection (fixture->inspector, connection);
          g_assert_cmpstr (deca_inspector_get_page (fixture->inspector), ==, "connection");
          wait_drawn (fixture);
        }
      deca_inspector_set_node_id (fixture->inspector, NULL);
      wait_drawn (fixture);
      /* Showing is not editing. */
      g_assert_false (deca_flow_document_get_modified (document));
      g_assert_false (deca_flow_document_can_undo (document));
    }
  deca_inspector_set_document (fixture->inspector, fixture->document);
}

/* A value the field kind cannot show (a template where a number goes) is shown as JSON,
 * and the form follows when an undo brings the number back. */
static void
test_value_of_another_type (Fixture       *fixture,
                            gconstpointer  data)
{
  DecaSchemaForm *form = show_node (fixture, "http");
  g_autoptr(JsonNode) template = json_node_init_string (json_node_alloc (), "{{input.timeout}}");
  g_autoptr(GError) error = NULL;
  GtkWidget *row;

  g_assert_true (GTK_IS_SPIN_BUTTON (field_input (form, "/timeout")));
  g_assert_true (deca_flow_document_set_node_field (fixture->document, "http", "timeout", template,
                                                    &error));
  g_assert_no_error (error);
  /* The form is built again from an idle. */
  deca_ui_test_iterate ();
  row = deca_schema_form_get_field_row (form, "/timeout");
  g_assert_true (DECA_IS_EXPRESSION_VIEW (row));
  g_assert_cmpint (deca_expression_view_get_mode (DECA_EXPRESSION_VIEW (row)), ==,
                   DECA_EXPRESSION_VIEW_JSON);
  {
    g_autofree char *text = deca_expression_view_dup_text (DECA_EXPRESSION_VIEW (row));
    g_assert_cmpstr (text, ==, "\"{{input.timeout}}\"");
  }

  g_assert_true (undo (fixture));
  deca_ui_test_iterate ();
  g_assert_true (GTK_IS_SPIN_BUTTON (field_input (form, "/timeout")));
  g_assert_cmpfloat (gtk_spin_button_get_value (GTK_SPIN_BUTTON (field_input (form, "/timeout"))), ==, 30);
}

/* A node whose type the registry does not know: its config, member by member, as JSON. */
static void
test_unknown_type (Fixture       *fixture,
                   gconstpointer  data)
{
  const char *text = "{ \"id\": \"f\", \"name\": \"F\", \"nodes\": ["
                     "{ \"id\": \"odd\", \"type\": \"no-such-type\","
                     "  \"config\": { \"a\": 1, \"b\": \"x\" } } ] }";
  g_autoptr(GError) error = NULL;
  g_autoptr(DecaFlowDocument) document = deca_flow_document_new_from_data (fixture->registry, text,
                                                                          -1, &error);
  DecaSchemaForm *form;
  GtkWidget *problems;

  g_assert_no_error (error);
  deca_inspector_set_document (fixture->inspector, document);
  deca_inspector_set_node_id (fixture->inspector, "odd");
  g_assert_cmpstr (deca_inspector_get_page (fixture->inspector), ==, "node");
  form = DECA_SCHEMA_FORM (deca_inspector_get_part (fixture->inspector, "schema-form"));
  g_assert_cmpuint (deca_schema_form_get_n_fields (form), ==, 2);
  g_assert_true (DECA_IS_EXPRESSION_VIEW (deca_schema_form_get_field_row (form, "/a")));
  /* The unknown type is a problem of the node, shown at the top. */
  problems = deca_inspector_get_part (fixture->inspector, "node-problems");
  g_assert_true (gtk_widget_get_visible (problems));
  g_assert_nonnull (strstr (gtk_label_get_text (GTK_LABEL (problems)), "no-such-type"));
  deca_inspector_set_document (fixture->inspector, fixture->document);
}

static void
test_focus_first_field (Fixture       *fixture,
                        gconstpointer  data)
{
  DecaSchemaForm *form = show_node (fixture, "http");

  deca_inspector_focus_first_field (fixture->inspector);
  /* http's first property is its method. */
  g_assert_true (gtk_widget_has_focus (field_input (form, "/method")) ||
                 gtk_widget_is_focus (field_input (form, "/method")));
  deca_inspector_set_node_id (fixture->inspector, NULL);
  deca_inspector_focus_first_field (fixture->inspector);
  g_assert_true (gtk_widget_is_ancestor (gtk_root_get_focus (GTK_ROOT (fixture->window)),
                                         deca_inspector_get_part (fixture->inspector, "flow-name")));
}

static void
test_narrow (Fixture       *fixture,
             gconstpointer  data)
{
  int minimum = 0;

  /* Every page fits the width of a 360 px window's panel. */
  for (guint i = 0; i < 2; i++)
    {
      deca_inspector_set_node_id (fixture->inspector, i == 0 ? "http" : NULL);
      gtk_widget_measure (GTK_WIDGET (fixture->inspector), GTK_ORIENTATION_HORIZONTAL, -1,
                          &minimum, NULL, NULL, NULL);
      g_assert_cmpint (minimum, <=, 340);
    }
}

int
main (int argc, char *argv[])
{
  deca_ui_test_init (&argc, &argv);

#define ADD(path, func) \
  g_test_add ("/deca/ui/inspector/" path, Fixture, NULL, fixture_set_up, func, fixture_tear_down)
  ADD ("text-field", test_text_field);
  ADD ("document-changes-while-typing", test_document_changes_while_typing);
  ADD ("number-field", test_number_field);
  ADD ("number-unset", test_number_unset);
  ADD ("switch-field", test_switch_field);
  ADD ("enum-field", test_enum_field);
  ADD ("json-field", test_json_field);
  ADD ("key-value-field", test_key_value_field);
  ADD ("key-value-errors", test_key_value_errors);
  ADD ("key-value-json", test_key_value_json);
  ADD ("key-value-problem", test_key_value_problem);
  ADD ("completion", test_completion);
  ADD ("template-problem", test_template_problem);
  ADD ("rename", test_rename);
  ADD ("retry-timeout", test_retry_timeout);
  ADD ("flow-settings", test_flow_settings);
  ADD ("triggers", test_triggers);
  ADD ("schedule-missed-runs", test_schedule_missed_runs);
  ADD ("time-zone-suggestions", test_time_zone_suggestions);
  ADD ("webhook-and-event", test_webhook_and_event);
  ADD ("webhook-options", test_webhook_options);
  ADD ("webhook-other-auth", test_webhook_other_auth);
  ADD ("languages", test_languages);
  ADD ("connection", test_connection);
  ADD ("node-removed", test_node_removed);
  ADD ("every-type-and-example", test_every_type_and_example);
  ADD ("value-of-another-type", test_value_of_another_type);
  ADD ("unknown-type", test_unknown_type);
  ADD ("focus-first-field", test_focus_first_field);
  ADD ("narrow", test_narrow);
#undef ADD

  return g_test_run ();
}
