/* test-canvas.c: the flow canvas, driven with real input (XTEST) and checked on the
 * document it edits. */

#include <math.h>
#include <glib/gi18n.h>

#include "deca-canvas.h"
#include "deca-canvas-private.h"
#include "deca-node-view.h"
#include "deca-connection-view.h"
#include "deca-ui-test.h"

typedef struct {
  DecaNodeRegistry *registry;
  DecaFlowDocument *document;
  DecaCanvas *canvas;
  GtkWindow *window;
  GPtrArray *refusals;
  GPtrArray *activations;
} Fixture;

/* Three cards in a row and one below: a at (0, 0), b at (400, 0), c at (400, 200). */
static const char *three_nodes =
  "{ \"id\": \"t\", \"name\": \"t\", \"version\": 1, \"nodes\": ["
  "  { \"id\": \"a\", \"type\": \"transform\", \"config\": { \"source\": 1 },"
  "    \"position\": { \"x\": 0, \"y\": 0 } },"
  "  { \"id\": \"b\", \"type\": \"transform\", \"config\": { \"source\": 1 },"
  "    \"position\": { \"x\": 400, \"y\": 0 } },"
  "  { \"id\": \"c\", \"type\": \"transform\", \"config\": { \"source\": 1 },"
  "    \"position\": { \"x\": 400, \"y\": 200 } } ],"
  "  \"connections\": [] }";

static void
refused_cb (DecaCanvas *canvas,
            const char *message,
            Fixture    *f)
{
  g_ptr_array_add (f->refusals, g_strdup (message));
}

static void
activated_cb (DecaCanvas *canvas,
              const char *id,
              Fixture    *f)
{
  g_ptr_array_add (f->activations, g_strdup (id));
}

static void
fixture_set_up (Fixture    *f,
                const char *json,
                GtkWidget  *beside)
{
  g_autoptr(GError) error = NULL;
  GtkWidget *box;

  f->registry = deca_node_registry_new_builtin ();
  f->document = deca_flow_document_new_from_data (f->registry, json, -1, &error);
  g_assert_no_error (error);
  f->canvas = DECA_CANVAS (deca_canvas_new ());
  f->refusals = g_ptr_array_new_with_free_func (g_free);
  f->activations = g_ptr_array_new_with_free_func (g_free);
  g_signal_connect (f->canvas, "edit-refused", G_CALLBACK (refused_cb), f);
  g_signal_connect (f->canvas, "node-activated", G_CALLBACK (activated_cb), f);
  deca_canvas_set_document (f->canvas, f->document);

  box = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 0);
  if (beside)
    gtk_box_append (GTK_BOX (box), beside);
  gtk_box_append (GTK_BOX (box), GTK_WIDGET (f->canvas));
  f->window = deca_ui_test_show (box, 1000, 700);
  /* A known view: canvas point (0, 0) at widget (100, 100), 100 %. */
  deca_canvas_set_view (f->canvas, -100, -100, 1.0);
  deca_ui_test_wait_for_draw (GTK_WIDGET (f->canvas));
}

static void
fixture_tear_down (Fixture *f)
{
  gtk_window_destroy (f->window);
  deca_ui_test_iterate ();
  g_ptr_array_unref (f->refusals);
  g_ptr_array_unref (f->activations);
  g_assert_finalize_object (f->document);
  g_object_unref (f->registry);
}

/* Widget coordinates of a point of a node's card, at fractions (@fx, @fy) of its size. */
static void
node_point (Fixture    *f,
            const char *id,
            double      fx,
            double      fy,
            double     *wx,
            double     *wy)
{
  DecaFlowNodeItem *item = deca_flow_document_lookup_node (f->document, id);

  g_assert_nonnull (item);
  deca_canvas_canvas_to_widget (f->canvas,
                                deca_flow_node_item_get_x (item) + fx * DECA_NODE_VIEW_WIDTH,
                                deca_flow_node_item_get_y (item) + fy * DECA_NODE_VIEW_MIN_HEIGHT,
                                wx, wy);
}

static void
click_node (Fixture    *f,
            const char *id)
{
  double x, y;

  node_point (f, id, 0.4, 0.5, &x, &y);
  deca_ui_test_click (GTK_WIDGET (f->canvas), x, y);
}

static guint
n_nodes (Fixture *f)
{
  return g_list_model_get_n_items (deca_flow_document_get_nodes (f->document));
}

static guint
n_connections (Fixture *f)
{
  return g_list_model_get_n_items (deca_flow_document_get_connections (f->document));
}

static DecaFlowConnectionItem *
connection_at (Fixture *f,
               guint    position)
{
  g_autoptr(DecaFlowConnectionItem) item =
    g_list_model_get_item (deca_flow_document_get_connections (f->document), position);

  return item;  /* the list keeps it */
}

static void
assert_selection (Fixture            *f,
                  const char * const *expected)
{
  g_auto(GStrv) selection = deca_canvas_dup_selection (f->canvas);

  g_assert_cmpstrv (selection, expected);
}

static GtkWidget *
find_child_with_class (GtkWidget  *widget,
                       GType       type,
                       const char *css_class)
{
  for (GtkWidget *child = gtk_widget_get_first_child (widget); child;
       child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *found;

      if (G_TYPE_CHECK_INSTANCE_TYPE (child, type)
          && (!css_class || gtk_widget_has_css_class (child, css_class)))
        return child;
      found = find_child_with_class (child, type, css_class);
      if (found)
        return found;
    }
  return NULL;
}

static gboolean
has_n_nodes (gpointer data)
{
  Fixture *f = data;

  return n_nodes (f) == GPOINTER_TO_UINT (g_object_get_data (G_OBJECT (f->canvas), "want"));
}

static void
wait_for_n_nodes (Fixture *f,
                  guint    n)
{
  g_object_set_data (G_OBJECT (f->canvas), "want", GUINT_TO_POINTER (n));
  g_assert_true (deca_ui_test_wait_until (has_n_nodes, f, 5000));
}

/* ---- drag and drop from a palette-like source -------------------------------------------- */

static GdkContentProvider *
prepare_cb (GtkDragSource *source,
            double         x,
            double         y,
            DecaNodeType  *type)
{
  return gdk_content_provider_new_typed (DECA_TYPE_NODE_TYPE, type);
}

static void
test_drop_node_type (void)
{
  Fixture f = { 0 };
  g_autoptr(DecaNodeRegistry) registry = deca_node_registry_new_builtin ();
  DecaNodeType *log = deca_node_registry_lookup (registry, "log");
  GtkWidget *source = gtk_label_new ("Log");
  GtkDragSource *drag = gtk_drag_source_new ();
  g_autoptr(DecaFlowNodeItem) item = NULL;
  double sx, sy, cx, cy;
  graphene_point_t in = GRAPHENE_POINT_INIT (450, 300), out;

  gtk_widget_set_size_request (source, 120, 120);
  gtk_drag_source_set_actions (drag, GDK_ACTION_COPY);
  g_signal_connect (drag, "prepare", G_CALLBACK (prepare_cb), log);
  gtk_widget_add_controller (source, GTK_EVENT_CONTROLLER (drag));
  fixture_set_up (&f, three_nodes, source);

  /* Press on the source, drag onto the canvas in small steps (the X drag-and-drop
   * protocol answers each motion), release: a real drop through the X server. */
  g_assert_true (gtk_widget_compute_point (GTK_WIDGET (f.canvas), source, &in, &out));
  deca_ui_test_pointer_move (source, 60, 60);
  deca_ui_test_button (source, 1, TRUE);
  for (int i = 1; i <= 30; i++)
    deca_ui_test_pointer_move (source, 60 + (out.x - 60) * i / 30, 60 + (out.y - 60) * i / 30);
  deca_ui_test_pointer_move (source, out.x + 1, out.y);
  deca_ui_test_pointer_move (source, out.x, out.y);
  deca_ui_test_button (source, 1, FALSE);
  wait_for_n_nodes (&f, 4);

  item = g_list_model_get_item (deca_flow_document_get_nodes (f.document), 3);
  g_assert_cmpstr (deca_flow_node_item_get_node_type (item), ==, "log");
  /* The card's middle is where it was dropped. */
  deca_canvas_widget_to_canvas (f.canvas, 450, 300, &cx, &cy);
  sx = deca_flow_node_item_get_x (item) + DECA_NODE_VIEW_WIDTH / 2.0;
  sy = deca_flow_node_item_get_y (item) + DECA_NODE_VIEW_MIN_HEIGHT / 2.0;
  g_assert_cmpfloat (fabs (sx - cx), <=, 2);
  g_assert_cmpfloat (fabs (sy - cy), <=, 2);
  assert_selection (&f, (const char *[]) { deca_flow_node_item_get_id (item), NULL });

  /* The palette's Enter adds at the centre of the view. */
  g_clear_object (&item);
  {
    g_autoptr(GError) error = NULL;
    DecaFlowNodeItem *centred = deca_canvas_add_node_at_center (f.canvas, "log", &error);
    double wx, wy;

    g_assert_no_error (error);
    deca_canvas_canvas_to_widget (f.canvas,
                                  deca_flow_node_item_get_x (centred) + DECA_NODE_VIEW_WIDTH / 2.0,
                                  deca_flow_node_item_get_y (centred) + DECA_NODE_VIEW_MIN_HEIGHT / 2.0,
                                  &wx, &wy);
    g_assert_cmpfloat (fabs (wx - gtk_widget_get_width (GTK_WIDGET (f.canvas)) / 2.0), <=, 1);
    g_assert_cmpfloat (fabs (wy - gtk_widget_get_height (GTK_WIDGET (f.canvas)) / 2.0), <=, 1);
    g_assert_null (deca_canvas_add_node_at_center (f.canvas, "no-such-type", &error));
    g_assert_error (error, DECA_ENGINE_ERROR, DECA_ENGINE_ERROR_NOT_FOUND);
  }
  fixture_tear_down (&f);
}

/* ---- moving ---------------------------------------------------------------------------------- */

static void
test_move_node (void)
{
  Fixture f = { 0 };
  DecaFlowNodeItem *a;
  double x, y;

  fixture_set_up (&f, three_nodes, NULL);
  deca_canvas_set_snap_to_grid (f.canvas, TRUE);
  g_assert_cmpfloat (deca_flow_document_get_grid_size (f.document), ==, 20);
  a = deca_flow_document_lookup_node (f.document, "a");

  node_point (&f, "a", 0.4, 0.5, &x, &y);
  deca_ui_test_drag (GTK_WIDGET (f.canvas), x, y, x + 53, y + 27, 8);
  /* Snapped: 53 is nearest to 60, 27 to 20. */
  g_assert_cmpfloat (deca_flow_node_item_get_x (a), ==, 60);
  g_assert_cmpfloat (deca_flow_node_item_get_y (a), ==, 20);
  g_assert_true (deca_flow_document_can_undo (f.document));
  assert_selection (&f, (const char *[]) { "a", NULL });

  /* One undo step for the whole drag. */
  g_assert_true (deca_flow_document_undo (f.document));
  g_assert_cmpfloat (deca_flow_node_item_get_x (a), ==, 0);
  g_assert_cmpfloat (deca_flow_node_item_get_y (a), ==, 0);
  g_assert_false (deca_flow_document_can_undo (f.document));

  /* Arrow keys move the selection by a grid step, Shift by five. */
  click_node (&f, "a");
  deca_ui_test_key (GTK_WIDGET (f.canvas), GDK_KEY_Right, 0);
  g_assert_cmpfloat (deca_flow_node_item_get_x (a), ==, 20);
  deca_ui_test_key (GTK_WIDGET (f.canvas), GDK_KEY_Down, GDK_SHIFT_MASK);
  g_assert_cmpfloat (deca_flow_node_item_get_y (a), ==, 100);
  fixture_tear_down (&f);
}

/* ---- connecting ------------------------------------------------------------------------------ */

static void
drag_port_to_node (Fixture    *f,
                   const char *from,
                   const char *to)
{
  double x1, y1, x2, y2;

  /* The output port is the middle of the right edge; drop on the target's input. */
  node_point (f, from, 1.0, 0.5, &x1, &y1);
  node_point (f, to, 0.0, 0.5, &x2, &y2);
  deca_ui_test_drag (GTK_WIDGET (f->canvas), x1, y1, x2 + 4, y2, 10);
}

static void
test_connect_drag (void)
{
  Fixture f = { 0 };
  DecaFlowConnectionItem *connection;

  fixture_set_up (&f, three_nodes, NULL);
  drag_port_to_node (&f, "a", "b");
  g_assert_cmpuint (n_connections (&f), ==, 1);
  connection = connection_at (&f, 0);
  g_assert_cmpstr (deca_flow_connection_item_get_from (connection), ==, "a");
  g_assert_cmpstr (deca_flow_connection_item_get_to (connection), ==, "b");
  g_assert_null (deca_flow_connection_item_get_condition (connection));
  g_assert_false (deca_flow_connection_item_get_on_error (connection));
  /* The nodes did not move: the press was on the port, not the card. */
  g_assert_cmpfloat (deca_flow_node_item_get_x (deca_flow_document_lookup_node (f.document, "a")), ==, 0);

  /* The error port (bottom edge) makes a fallback connection. */
  {
    double x1, y1, x2, y2;

    node_point (&f, "b", 0.5, 1.0, &x1, &y1);
    node_point (&f, "c", 0.3, 0.5, &x2, &y2);
    deca_ui_test_drag (GTK_WIDGET (f.canvas), x1, y1, x2, y2, 10);
    g_assert_cmpuint (n_connections (&f), ==, 2);
    g_assert_true (deca_flow_connection_item_get_on_error (connection_at (&f, 1)));
  }
  fixture_tear_down (&f);
}

static gboolean
label_visible (gpointer data)
{
  return gtk_widget_get_visible (GTK_WIDGET (data));
}

static void
test_refuse_cycle (void)
{
  Fixture f = { 0 };
  g_autofree char *before = NULL;
  g_autofree char *after = NULL;
  GtkWidget *refusal;

  fixture_set_up (&f, three_nodes, NULL);
  drag_port_to_node (&f, "a", "b");
  g_assert_cmpuint (n_connections (&f), ==, 1);
  before = deca_flow_document_to_data (f.document, NULL);

  drag_port_to_node (&f, "b", "a");
  after = deca_flow_document_to_data (f.document, NULL);
  g_assert_cmpstr (before, ==, after);
  g_assert_cmpuint (f.refusals->len, ==, 1);
  g_assert_nonnull (strstr (g_ptr_array_index (f.refusals, 0), "cycle"));

  /* Shown, with the engine's words, on the canvas. */
  refusal = find_child_with_class (GTK_WIDGET (f.canvas), GTK_TYPE_LABEL, "refusal");
  g_assert_nonnull (refusal);
  g_assert_true (deca_ui_test_wait_until (label_visible, refusal, 2000));
  g_assert_cmpstr (gtk_label_get_text (GTK_LABEL (refusal)), ==,
                   g_ptr_array_index (f.refusals, 0));

  /* A self-loop and a duplicate are refused too. */
  drag_port_to_node (&f, "a", "b");
  g_assert_cmpuint (f.refusals->len, ==, 2);
  {
    double x1, y1, x2, y2;

    node_point (&f, "a", 1.0, 0.5, &x1, &y1);
    node_point (&f, "a", 0.3, 0.3, &x2, &y2);
    deca_ui_test_drag (GTK_WIDGET (f.canvas), x1, y1, x2, y2, 10);
  }
  g_assert_cmpuint (f.refusals->len, ==, 3);
  g_assert_cmpuint (n_connections (&f), ==, 1);
  fixture_tear_down (&f);
}

/* ---- connecting from an input ------------------------------------------------------------- */

/* A condition (two output ports), two transforms to its right and a trigger below it:
 * cond at (0, 0), b at (400, 0), c at (400, 200), start at (0, 300). */
static const char *condition_nodes =
  "{ \"id\": \"t\", \"name\": \"t\", \"version\": 1, \"nodes\": ["
  "  { \"id\": \"cond\", \"type\": \"condition\", \"config\": { \"expression\": \"true\" },"
  "    \"position\": { \"x\": 0, \"y\": 0 } },"
  "  { \"id\": \"b\", \"type\": \"transform\", \"config\": { \"source\": 1 },"
  "    \"position\": { \"x\": 400, \"y\": 0 } },"
  "  { \"id\": \"c\", \"type\": \"transform\", \"config\": { \"source\": 1 },"
  "    \"position\": { \"x\": 400, \"y\": 200 } },"
  "  { \"id\": \"start\", \"type\": \"manual\", \"config\": {},"
  "    \"position\": { \"x\": 0, \"y\": 300 } } ],"
  "  \"connections\": [] }";

static DecaNodeView *
node_view (Fixture    *f,
           const char *id)
{
  for (GtkWidget *child = gtk_widget_get_first_child (GTK_WIDGET (f->canvas)); child;
       child = gtk_widget_get_next_sibling (child))
    if (DECA_IS_NODE_VIEW (child)
        && g_str_equal (deca_flow_node_item_get_id (deca_node_view_get_item (DECA_NODE_VIEW (child))), id))
      return DECA_NODE_VIEW (child);
  g_assert_not_reached ();
}

/* Widget coordinates of a port of a card, as the card places it (@port NULL: the input). */
static void
port_point (Fixture    *f,
            const char *id,
            const char *port,
            double     *wx,
            double     *wy)
{
  DecaFlowNodeItem *item = deca_flow_document_lookup_node (f->document, id);
  double x, y, dx, dy;

  deca_node_view_get_port_point (node_view (f, id), port, &x, &y, &dx, &dy);
  deca_canvas_canvas_to_widget (f->canvas, deca_flow_node_item_get_x (item) + x,
                                deca_flow_node_item_get_y (item) + y, wx, wy);
}

/* Drags from @to's input to @from's output @port. */
static void
drag_input_to_port (Fixture    *f,
                    const char *to,
                    const char *from,
                    const char *port)
{
  double x1, y1, x2, y2;

  port_point (f, to, NULL, &x1, &y1);
  port_point (f, from, port, &x2, &y2);
  deca_ui_test_drag (GTK_WIDGET (f->canvas), x1, y1, x2 + 1, y2, 10);
}

static void
assert_connection (Fixture    *f,
                   guint       position,
                   const char *from,
                   const char *port,
                   const char *to)
{
  DecaFlowConnectionItem *connection = connection_at (f, position);

  g_assert_nonnull (connection);
  g_assert_cmpstr (deca_flow_connection_item_get_from (connection), ==, from);
  g_assert_cmpstr (deca_flow_connection_item_get_from_port (connection), ==, port);
  g_assert_cmpstr (deca_flow_connection_item_get_to (connection), ==, to);
}

static void
test_connect_from_input (void)
{
  Fixture f = { 0 };
  double x, y;

  fixture_set_up (&f, condition_nodes, NULL);

  /* From b's input to the condition's "false" port: cond -false-> b. */
  drag_input_to_port (&f, "b", "cond", "false");
  g_assert_cmpuint (f.refusals->len, ==, 0);
  g_assert_cmpuint (n_connections (&f), ==, 1);
  assert_connection (&f, 0, "cond", "false", "b");
  g_assert_false (deca_flow_connection_item_get_on_error (connection_at (&f, 0)));
  /* The press on the input started a connection, not a move. */
  g_assert_cmpfloat (deca_flow_node_item_get_x (deca_flow_document_lookup_node (f.document, "b")), ==, 400);

  /* One undo step, and redo brings the same connection back. */
  deca_ui_test_key (GTK_WIDGET (f.canvas), GDK_KEY_z, GDK_CONTROL_MASK);
  g_assert_cmpuint (n_connections (&f), ==, 0);
  g_assert_false (deca_flow_document_can_undo (f.document));
  deca_ui_test_key (GTK_WIDGET (f.canvas), GDK_KEY_z, GDK_CONTROL_MASK | GDK_SHIFT_MASK);
  g_assert_cmpuint (n_connections (&f), ==, 1);
  assert_connection (&f, 0, "cond", "false", "b");

  /* An input that has a connection takes another: a drag from it always adds one. Here
   * onto c's card, anywhere: c has a single output port. */
  port_point (&f, "b", NULL, &x, &y);
  {
    double x2, y2;

    node_point (&f, "c", 0.4, 0.5, &x2, &y2);
    deca_ui_test_drag (GTK_WIDGET (f.canvas), x, y, x2, y2, 10);
  }
  g_assert_cmpuint (n_connections (&f), ==, 2);
  assert_connection (&f, 0, "cond", "false", "b");
  assert_connection (&f, 1, "c", "main", "b");

  /* The error port makes a fallback connection. */
  drag_input_to_port (&f, "c", "cond", DECA_NODE_PORT_ERROR);
  g_assert_cmpuint (n_connections (&f), ==, 3);
  assert_connection (&f, 2, "cond", DECA_NODE_PORT_ERROR, "c");
  g_assert_true (deca_flow_connection_item_get_on_error (connection_at (&f, 2)));
  g_assert_cmpuint (f.refusals->len, ==, 0);
  fixture_tear_down (&f);
}

static gboolean
label_allocated (gpointer data)
{
  return gtk_widget_get_width (GTK_WIDGET (data)) > 0;
}

static void
test_refuse_from_input (void)
{
  Fixture f = { 0 };
  g_autofree char *before = NULL;
  g_autofree char *after = NULL;
  GtkWidget *refusal;
  double x1, y1, x2, y2;

  fixture_set_up (&f, condition_nodes, NULL);
  drag_input_to_port (&f, "b", "cond", "true");
  g_assert_cmpuint (n_connections (&f), ==, 1);
  assert_connection (&f, 0, "cond", "true", "b");
  before = deca_flow_document_to_data (f.document, NULL);

  /* b -> cond would close a cycle: refused with the document's reason, nothing changed. */
  drag_input_to_port (&f, "cond", "b", "main");
  after = deca_flow_document_to_data (f.document, NULL);
  g_assert_cmpstr (before, ==, after);
  g_assert_cmpuint (f.refusals->len, ==, 1);
  g_assert_nonnull (strstr (g_ptr_array_index (f.refusals, 0), "cycle"));
  refusal = find_child_with_class (GTK_WIDGET (f.canvas), GTK_TYPE_LABEL, "refusal");
  g_assert_nonnull (refusal);
  g_assert_true (deca_ui_test_wait_until (label_visible, refusal, 2000));
  g_assert_cmpstr (gtk_label_get_text (GTK_LABEL (refusal)), ==,
                   g_ptr_array_index (f.refusals, 0));
  /* Shown beside the pointer, where the drop was. */
  {
    graphene_rect_t bounds;
    double px, py;

    port_point (&f, "b", "main", &px, &py);
    g_assert_true (deca_ui_test_wait_until (label_allocated, refusal, 2000));
    g_assert_true (gtk_widget_compute_bounds (refusal, GTK_WIDGET (f.canvas), &bounds));
    g_assert_cmpfloat (fabs (bounds.origin.x - px), <, 40);
    g_assert_cmpfloat (fabs (bounds.origin.y - py), <, 40);
  }
  g_assert_false (deca_flow_document_can_redo (f.document));
  deca_ui_test_key (GTK_WIDGET (f.canvas), GDK_KEY_z, GDK_CONTROL_MASK);
  g_assert_cmpuint (n_connections (&f), ==, 0);
  deca_ui_test_key (GTK_WIDGET (f.canvas), GDK_KEY_z, GDK_CONTROL_MASK | GDK_SHIFT_MASK);
  g_assert_cmpuint (n_connections (&f), ==, 1);

  /* A duplicate. */
  drag_input_to_port (&f, "b", "cond", "true");
  g_assert_cmpuint (f.refusals->len, ==, 2);
  g_assert_nonnull (strstr (g_ptr_array_index (f.refusals, 1), "already connected"));

  /* A self-loop: from b's input back to its own output port. */
  drag_input_to_port (&f, "b", "b", "main");
  g_assert_cmpuint (f.refusals->len, ==, 3);
  g_assert_nonnull (strstr (g_ptr_array_index (f.refusals, 2), "itself"));

  /* The wrong kind of port: an input onto another input. */
  drag_input_to_port (&f, "c", "b", NULL);
  g_assert_cmpuint (f.refusals->len, ==, 4);
  g_assert_cmpstr (g_ptr_array_index (f.refusals, 3), ==,
                   "An input connects to an output port, not to another input");

  /* On a card with several output ports, but not on one of them: which one is not a
   * guess to make. */
  port_point (&f, "c", NULL, &x1, &y1);
  node_point (&f, "cond", 0.4, 0.5, &x2, &y2);
  deca_ui_test_drag (GTK_WIDGET (f.canvas), x1, y1, x2, y2, 10);
  g_assert_cmpuint (f.refusals->len, ==, 5);
  g_assert_cmpstr (g_ptr_array_index (f.refusals, 4), ==,
                   "Drop on one of the output ports of “cond”");

  /* From an output, onto a trigger, which has no input. */
  port_point (&f, "c", "main", &x1, &y1);
  node_point (&f, "start", 0.4, 0.5, &x2, &y2);
  deca_ui_test_drag (GTK_WIDGET (f.canvas), x1, y1, x2, y2, 10);
  g_assert_cmpuint (f.refusals->len, ==, 6);
  g_assert_cmpstr (g_ptr_array_index (f.refusals, 5), ==,
                   "“start” is a trigger: it has no input to connect to");

  /* Dropped on empty canvas: nothing, and nothing to explain. */
  port_point (&f, "c", NULL, &x1, &y1);
  deca_ui_test_drag (GTK_WIDGET (f.canvas), x1, y1, x1 - 60, y1 + 40, 10);
  g_assert_cmpuint (f.refusals->len, ==, 6);

  after = (g_free (after), deca_flow_document_to_data (f.document, NULL));
  g_assert_cmpstr (before, ==, after);
  fixture_tear_down (&f);
}

/* ---- history, delete, clipboard --------------------------------------------------------- */

static void
test_undo_redo_keys (void)
{
  Fixture f = { 0 };
  DecaFlowNodeItem *b;
  double x, y;

  fixture_set_up (&f, three_nodes, NULL);
  b = deca_flow_document_lookup_node (f.document, "b");
  node_point (&f, "b", 0.4, 0.5, &x, &y);
  deca_ui_test_drag (GTK_WIDGET (f.canvas), x, y, x + 40, y + 60, 6);
  g_assert_cmpfloat (deca_flow_node_item_get_x (b), ==, 440);

  deca_ui_test_key (GTK_WIDGET (f.canvas), GDK_KEY_z, GDK_CONTROL_MASK);
  g_assert_cmpfloat (deca_flow_node_item_get_x (b), ==, 400);
  g_assert_cmpfloat (deca_flow_node_item_get_y (b), ==, 0);
  deca_ui_test_key (GTK_WIDGET (f.canvas), GDK_KEY_z, GDK_CONTROL_MASK | GDK_SHIFT_MASK);
  g_assert_cmpfloat (deca_flow_node_item_get_x (b), ==, 440);
  g_assert_cmpfloat (deca_flow_node_item_get_y (b), ==, 60);
  fixture_tear_down (&f);
}

static void
test_delete_key (void)
{
  Fixture f = { 0 };

  fixture_set_up (&f, three_nodes, NULL);
  drag_port_to_node (&f, "a", "b");
  click_node (&f, "b");
  assert_selection (&f, (const char *[]) { "b", NULL });
  deca_ui_test_key (GTK_WIDGET (f.canvas), GDK_KEY_Delete, 0);
  g_assert_cmpuint (n_nodes (&f), ==, 2);
  g_assert_null (deca_flow_document_lookup_node (f.document, "b"));
  g_assert_cmpuint (n_connections (&f), ==, 0);
  assert_selection (&f, (const char *[]) { NULL });

  deca_ui_test_key (GTK_WIDGET (f.canvas), GDK_KEY_z, GDK_CONTROL_MASK);
  g_assert_cmpuint (n_nodes (&f), ==, 3);
  g_assert_cmpuint (n_connections (&f), ==, 1);
  fixture_tear_down (&f);
}

static void
test_copy_paste (void)
{
  Fixture f = { 0 };
  g_auto(GStrv) selection = NULL;

  fixture_set_up (&f, three_nodes, NULL);
  drag_port_to_node (&f, "a", "b");
  /* Click a, Shift+click b: both selected. */
  click_node (&f, "a");
  deca_ui_test_key_hold (GTK_WIDGET (f.canvas), GDK_KEY_Shift_L, TRUE);
  click_node (&f, "b");
  deca_ui_test_key_hold (GTK_WIDGET (f.canvas), GDK_KEY_Shift_L, FALSE);
  assert_selection (&f, (const char *[]) { "a", "b", NULL });
  deca_ui_test_key (GTK_WIDGET (f.canvas), GDK_KEY_c, GDK_CONTROL_MASK);
  deca_ui_test_key (GTK_WIDGET (f.canvas), GDK_KEY_v, GDK_CONTROL_MASK);
  wait_for_n_nodes (&f, 5);
  g_assert_cmpuint (n_connections (&f), ==, 2);

  /* Fresh ids, selected; the copy of the connection joins the copies. */
  selection = deca_canvas_dup_selection (f.canvas);
  g_assert_cmpuint (g_strv_length (selection), ==, 2);
  g_assert_cmpstr (selection[0], ==, "a-2");
  g_assert_cmpstr (selection[1], ==, "b-2");
  g_assert_cmpstr (deca_flow_connection_item_get_from (connection_at (&f, 1)), ==, "a-2");
  g_assert_cmpstr (deca_flow_connection_item_get_to (connection_at (&f, 1)), ==, "b-2");
  g_assert_cmpfloat (deca_flow_node_item_get_x (deca_flow_document_lookup_node (f.document, "a-2")), ==, 40);

  /* The clipboard holds flow-format text, for text editors and other windows. */
  {
    GdkClipboard *clipboard = gtk_widget_get_clipboard (GTK_WIDGET (f.canvas));

    g_assert_true (gdk_content_formats_contain_gtype (gdk_clipboard_get_formats (clipboard),
                                                      G_TYPE_STRING));
  }

  /* Duplicate (Ctrl+D) copies the selection beside itself. */
  deca_ui_test_key (GTK_WIDGET (f.canvas), GDK_KEY_d, GDK_CONTROL_MASK);
  wait_for_n_nodes (&f, 7);

  /* Cut removes and keeps on the clipboard. */
  deca_ui_test_key (GTK_WIDGET (f.canvas), GDK_KEY_x, GDK_CONTROL_MASK);
  g_assert_cmpuint (n_nodes (&f), ==, 5);
  fixture_tear_down (&f);
}

static void
test_rubber_band (void)
{
  Fixture f = { 0 };
  double x1, y1, x2, y2;

  fixture_set_up (&f, three_nodes, NULL);
  /* From empty space above b to below c: b and c, not a. */
  node_point (&f, "b", -0.1, -0.3, &x1, &y1);
  node_point (&f, "c", 0.5, 1.2, &x2, &y2);
  deca_ui_test_drag (GTK_WIDGET (f.canvas), x1, y1, x2, y2, 8);
  assert_selection (&f, (const char *[]) { "b", "c", NULL });
  /* Nothing moved. */
  g_assert_cmpfloat (deca_flow_node_item_get_x (deca_flow_document_lookup_node (f.document, "b")), ==, 400);
  g_assert_false (deca_flow_document_can_undo (f.document));

  /* A click on empty space clears it. */
  deca_ui_test_click (GTK_WIDGET (f.canvas), x1, y1);
  assert_selection (&f, (const char *[]) { NULL });
  fixture_tear_down (&f);
}

/* ---- the keyboard ------------------------------------------------------------------------- */

static void
test_keyboard_connect (void)
{
  Fixture f = { 0 };
  DecaNodeView *target;

  fixture_set_up (&f, three_nodes, NULL);
  click_node (&f, "a");

  /* C proposes the nearest node to the right (b); Down moves to c; Enter connects. */
  deca_ui_test_key (GTK_WIDGET (f.canvas), GDK_KEY_c, 0);
  target = DECA_NODE_VIEW (find_child_with_class (GTK_WIDGET (f.canvas), DECA_TYPE_NODE_VIEW,
                                                  "connect-target"));
  g_assert_nonnull (target);
  g_assert_cmpstr (deca_flow_node_item_get_id (deca_node_view_get_item (target)), ==, "b");
  deca_ui_test_key (GTK_WIDGET (f.canvas), GDK_KEY_Down, 0);
  target = DECA_NODE_VIEW (find_child_with_class (GTK_WIDGET (f.canvas), DECA_TYPE_NODE_VIEW,
                                                  "connect-target"));
  g_assert_cmpstr (deca_flow_node_item_get_id (deca_node_view_get_item (target)), ==, "c");
  /* The arrows picked a target; they did not move a node. */
  g_assert_cmpfloat (deca_flow_node_item_get_y (deca_flow_document_lookup_node (f.document, "a")), ==, 0);
  deca_ui_test_key (GTK_WIDGET (f.canvas), GDK_KEY_Return, 0);
  g_assert_cmpuint (n_connections (&f), ==, 1);
  g_assert_cmpstr (deca_flow_connection_item_get_from (connection_at (&f, 0)), ==, "a");
  g_assert_cmpstr (deca_flow_connection_item_get_to (connection_at (&f, 0)), ==, "c");
  g_assert_null (find_child_with_class (GTK_WIDGET (f.canvas), DECA_TYPE_NODE_VIEW,
                                        "connect-target"));

  /* Ctrl+Enter starts one too; Tab picks in document order; Escape cancels. */
  deca_ui_test_key (GTK_WIDGET (f.canvas), GDK_KEY_Return, GDK_CONTROL_MASK);
  g_assert_nonnull (find_child_with_class (GTK_WIDGET (f.canvas), DECA_TYPE_NODE_VIEW,
                                           "connect-target"));
  deca_ui_test_key (GTK_WIDGET (f.canvas), GDK_KEY_Tab, 0);
  deca_ui_test_key (GTK_WIDGET (f.canvas), GDK_KEY_Escape, 0);
  g_assert_null (find_child_with_class (GTK_WIDGET (f.canvas), DECA_TYPE_NODE_VIEW,
                                        "connect-target"));
  g_assert_cmpuint (n_connections (&f), ==, 1);

  /* A refused keyboard connection (c -> a would be fine; a -> c again is a duplicate). */
  deca_ui_test_key (GTK_WIDGET (f.canvas), GDK_KEY_c, 0);
  deca_ui_test_key (GTK_WIDGET (f.canvas), GDK_KEY_Down, 0);
  deca_ui_test_key (GTK_WIDGET (f.canvas), GDK_KEY_Return, 0);
  g_assert_cmpuint (n_connections (&f), ==, 1);
  g_assert_cmpuint (f.refusals->len, ==, 1);
  fixture_tear_down (&f);
}

static DecaNodeView *
connect_target (Fixture *f)
{
  return DECA_NODE_VIEW (find_child_with_class (GTK_WIDGET (f->canvas), DECA_TYPE_NODE_VIEW,
                                                "connect-target"));
}

/* GTK_A11Y=none: the card says what it gives its accessible description. */
static void
assert_description (DecaNodeView *view,
                    const char   *expected)
{
  g_autofree char *description = deca_node_view_dup_accessible_description (view);

  g_assert_cmpstr (description, ==, expected);
}

static void
test_keyboard_connect_port (void)
{
  Fixture f = { 0 };
  DecaNodeView *cond;

  fixture_set_up (&f, condition_nodes, NULL);
  cond = node_view (&f, "cond");
  click_node (&f, "cond");

  /* C starts from the default port, "true", towards b; C again picks "false". */
  deca_ui_test_key (GTK_WIDGET (f.canvas), GDK_KEY_c, 0);
  g_assert_true (connect_target (&f) == node_view (&f, "b"));
  g_assert_cmpstr (deca_node_view_get_connect_port (cond), ==, "true");
  assert_description (cond, "Connecting from cond, port true, to b");
  deca_ui_test_key (GTK_WIDGET (f.canvas), GDK_KEY_c, 0);
  g_assert_cmpstr (deca_node_view_get_connect_port (cond), ==, "false");
  assert_description (cond, "Connecting from cond, port false, to b");
  /* The source card has the focus: a screen reader hears the description change. */
  g_assert_true (gtk_root_get_focus (GTK_ROOT (f.window)) == GTK_WIDGET (cond));

  /* The arrows still pick the target; Enter connects from the chosen port. */
  deca_ui_test_key (GTK_WIDGET (f.canvas), GDK_KEY_Down, 0);
  g_assert_true (connect_target (&f) == node_view (&f, "c"));
  assert_description (cond, "Connecting from cond, port false, to c");
  g_assert_cmpstr (deca_node_view_get_connect_port (cond), ==, "false");
  deca_ui_test_key (GTK_WIDGET (f.canvas), GDK_KEY_Return, 0);
  g_assert_cmpuint (f.refusals->len, ==, 0);
  g_assert_cmpuint (n_connections (&f), ==, 1);
  assert_connection (&f, 0, "cond", "false", "c");
  g_assert_false (deca_flow_connection_item_get_on_error (connection_at (&f, 0)));
  /* Over: no target, no highlighted port, no status. */
  g_assert_null (connect_target (&f));
  g_assert_null (deca_node_view_get_connect_port (cond));
  assert_description (cond, NULL);

  /* One undo step; redo brings it back with its port. */
  deca_ui_test_key (GTK_WIDGET (f.canvas), GDK_KEY_z, GDK_CONTROL_MASK);
  g_assert_cmpuint (n_connections (&f), ==, 0);
  g_assert_false (deca_flow_document_can_undo (f.document));
  deca_ui_test_key (GTK_WIDGET (f.canvas), GDK_KEY_z, GDK_CONTROL_MASK | GDK_SHIFT_MASK);
  g_assert_cmpuint (n_connections (&f), ==, 1);
  assert_connection (&f, 0, "cond", "false", "c");

  /* Shift+C goes the other way round: from "true" back to the error port, a fallback. */
  deca_ui_test_key (GTK_WIDGET (f.canvas), GDK_KEY_c, 0);
  deca_ui_test_key (GTK_WIDGET (f.canvas), GDK_KEY_c, GDK_SHIFT_MASK);
  g_assert_cmpstr (deca_node_view_get_connect_port (cond), ==, DECA_NODE_PORT_ERROR);
  assert_description (cond, "Connecting the fallback of cond to b");
  deca_ui_test_key (GTK_WIDGET (f.canvas), GDK_KEY_c, 0);
  deca_ui_test_key (GTK_WIDGET (f.canvas), GDK_KEY_c, 0);
  g_assert_cmpstr (deca_node_view_get_connect_port (cond), ==, "false");
  deca_ui_test_key (GTK_WIDGET (f.canvas), GDK_KEY_c, 0);
  deca_ui_test_key (GTK_WIDGET (f.canvas), GDK_KEY_Return, 0);
  g_assert_cmpuint (n_connections (&f), ==, 2);
  assert_connection (&f, 1, "cond", DECA_NODE_PORT_ERROR, "b");
  g_assert_true (deca_flow_connection_item_get_on_error (connection_at (&f, 1)));

  /* Escape cancels and leaves the ports as they were. */
  deca_ui_test_key (GTK_WIDGET (f.canvas), GDK_KEY_c, 0);
  deca_ui_test_key (GTK_WIDGET (f.canvas), GDK_KEY_c, 0);
  deca_ui_test_key (GTK_WIDGET (f.canvas), GDK_KEY_Escape, 0);
  g_assert_null (connect_target (&f));
  g_assert_null (deca_node_view_get_connect_port (cond));
  g_assert_cmpuint (n_connections (&f), ==, 2);

  /* A refused one (the same port to the same node again) says why. */
  deca_ui_test_key (GTK_WIDGET (f.canvas), GDK_KEY_c, 0);
  deca_ui_test_key (GTK_WIDGET (f.canvas), GDK_KEY_c, 0);
  deca_ui_test_key (GTK_WIDGET (f.canvas), GDK_KEY_Down, 0);
  deca_ui_test_key (GTK_WIDGET (f.canvas), GDK_KEY_Return, 0);
  g_assert_cmpuint (n_connections (&f), ==, 2);
  g_assert_cmpuint (f.refusals->len, ==, 1);
  g_assert_nonnull (strstr (g_ptr_array_index (f.refusals, 0), "already connected"));
  fixture_tear_down (&f);
}

static void
test_keyboard_focus (void)
{
  Fixture f = { 0 };
  GtkWidget *focus;

  fixture_set_up (&f, three_nodes, NULL);
  gtk_widget_grab_focus (GTK_WIDGET (f.canvas));
  /* Tab goes through the nodes in document order, selecting each. */
  deca_ui_test_key (GTK_WIDGET (f.canvas), GDK_KEY_Tab, 0);
  focus = gtk_root_get_focus (GTK_ROOT (f.window));
  g_assert_true (DECA_IS_NODE_VIEW (focus));
  g_assert_cmpstr (deca_flow_node_item_get_id (deca_node_view_get_item (DECA_NODE_VIEW (focus))), ==, "a");
  assert_selection (&f, (const char *[]) { "a", NULL });
  deca_ui_test_key (GTK_WIDGET (f.canvas), GDK_KEY_Tab, 0);
  focus = gtk_root_get_focus (GTK_ROOT (f.window));
  g_assert_cmpstr (deca_flow_node_item_get_id (deca_node_view_get_item (DECA_NODE_VIEW (focus))), ==, "b");
  assert_selection (&f, (const char *[]) { "b", NULL });

  /* Enter activates the focused node. */
  deca_ui_test_key (GTK_WIDGET (f.canvas), GDK_KEY_Return, 0);
  g_assert_cmpuint (f.activations->len, ==, 1);
  g_assert_cmpstr (g_ptr_array_index (f.activations, 0), ==, "b");

  /* So does a double-click. */
  {
    double x, y;

    node_point (&f, "c", 0.4, 0.5, &x, &y);
    deca_ui_test_click (GTK_WIDGET (f.canvas), x, y);
    deca_ui_test_click (GTK_WIDGET (f.canvas), x, y);
  }
  g_assert_cmpuint (f.activations->len, ==, 2);
  g_assert_cmpstr (g_ptr_array_index (f.activations, 1), ==, "c");
  fixture_tear_down (&f);
}

/* ---- the view ---------------------------------------------------------------------------- */

static void
assert_all_visible (Fixture *f)
{
  int width = gtk_widget_get_width (GTK_WIDGET (f->canvas));
  int height = gtk_widget_get_height (GTK_WIDGET (f->canvas));
  GListModel *nodes = deca_flow_document_get_nodes (f->document);

  for (guint i = 0; i < g_list_model_get_n_items (nodes); i++)
    {
      g_autoptr(DecaFlowNodeItem) item = g_list_model_get_item (nodes, i);
      double x1, y1, x2, y2;

      deca_canvas_canvas_to_widget (f->canvas, deca_flow_node_item_get_x (item),
                                    deca_flow_node_item_get_y (item), &x1, &y1);
      deca_canvas_canvas_to_widget (f->canvas,
                                    deca_flow_node_item_get_x (item) + DECA_NODE_VIEW_WIDTH,
                                    deca_flow_node_item_get_y (item) + DECA_NODE_VIEW_MIN_HEIGHT,
                                    &x2, &y2);
      g_assert_cmpfloat (x1, >=, 0);
      g_assert_cmpfloat (y1, >=, 0);
      g_assert_cmpfloat (x2, <=, width);
      g_assert_cmpfloat (y2, <=, height);
    }
}

static void
test_zoom_keys (void)
{
  Fixture f = { 0 };

  fixture_set_up (&f, three_nodes, NULL);
  gtk_widget_grab_focus (GTK_WIDGET (f.canvas));
  deca_ui_test_key (GTK_WIDGET (f.canvas), GDK_KEY_plus, GDK_CONTROL_MASK);
  g_assert_cmpfloat_with_epsilon (deca_canvas_get_zoom (f.canvas), 1.25, 1e-9);
  deca_ui_test_key (GTK_WIDGET (f.canvas), GDK_KEY_minus, GDK_CONTROL_MASK);
  deca_ui_test_key (GTK_WIDGET (f.canvas), GDK_KEY_minus, GDK_CONTROL_MASK);
  g_assert_cmpfloat_with_epsilon (deca_canvas_get_zoom (f.canvas), 0.8, 1e-9);
  deca_ui_test_key (GTK_WIDGET (f.canvas), GDK_KEY_0, GDK_CONTROL_MASK);
  g_assert_cmpfloat_with_epsilon (deca_canvas_get_zoom (f.canvas), 1.0, 1e-9);

  /* Far away, then fit: every card in view. */
  deca_canvas_set_view (f.canvas, 5000, 5000, 3.0);
  deca_ui_test_key (GTK_WIDGET (f.canvas), GDK_KEY_1, GDK_CONTROL_MASK);
  assert_all_visible (&f);
  deca_canvas_set_view (f.canvas, -5000, 300, 0.2);
  deca_ui_test_key (GTK_WIDGET (f.canvas), GDK_KEY_f, 0);
  assert_all_visible (&f);

  /* Zoom to selection frames the selected card. */
  deca_canvas_set_selection (f.canvas, (const char *[]) { "c", NULL });
  deca_ui_test_key (GTK_WIDGET (f.canvas), GDK_KEY_2, GDK_CONTROL_MASK);
  g_assert_cmpfloat (deca_canvas_get_zoom (f.canvas), >, 1.0);

  /* Ctrl+scroll zooms around the pointer: the canvas point under it stays put. */
  {
    double cx, cy, cx2, cy2;

    deca_canvas_set_view (f.canvas, -100, -100, 1.0);
    deca_ui_test_pointer_move (GTK_WIDGET (f.canvas), 300, 200);
    deca_canvas_widget_to_canvas (f.canvas, 300, 200, &cx, &cy);
    deca_ui_test_key_hold (GTK_WIDGET (f.canvas), GDK_KEY_Control_L, TRUE);
    deca_ui_test_button (GTK_WIDGET (f.canvas), 4, TRUE);
    deca_ui_test_button (GTK_WIDGET (f.canvas), 4, FALSE);
    deca_ui_test_key_hold (GTK_WIDGET (f.canvas), GDK_KEY_Control_L, FALSE);
    g_assert_cmpfloat (deca_canvas_get_zoom (f.canvas), >, 1.0);
    deca_canvas_widget_to_canvas (f.canvas, 300, 200, &cx2, &cy2);
    g_assert_cmpfloat (fabs (cx - cx2), <, 0.5);
    g_assert_cmpfloat (fabs (cy - cy2), <, 0.5);

    /* A plain scroll pans. */
    deca_ui_test_button (GTK_WIDGET (f.canvas), 5, TRUE);
    deca_ui_test_button (GTK_WIDGET (f.canvas), 5, FALSE);
    deca_canvas_widget_to_canvas (f.canvas, 300, 200, &cx2, &cy2);
    g_assert_cmpfloat (cy2, >, cy);
  }
  fixture_tear_down (&f);
}

static void
test_pan (void)
{
  Fixture f = { 0 };
  double ox, oy, ox2, oy2;
  int width, height;

  fixture_set_up (&f, three_nodes, NULL);
  width = gtk_widget_get_width (GTK_WIDGET (f.canvas));
  height = gtk_widget_get_height (GTK_WIDGET (f.canvas));

  /* Middle-button drag pans by what the pointer moved; nothing is edited. */
  deca_canvas_get_offset (f.canvas, &ox, &oy);
  deca_ui_test_pointer_move (GTK_WIDGET (f.canvas), 600, 500);
  deca_ui_test_button (GTK_WIDGET (f.canvas), 2, TRUE);
  for (int i = 1; i <= 5; i++)
    deca_ui_test_pointer_move (GTK_WIDGET (f.canvas), 600 - 20 * i, 500 - 10 * i);
  deca_ui_test_button (GTK_WIDGET (f.canvas), 2, FALSE);
  deca_canvas_get_offset (f.canvas, &ox2, &oy2);
  g_assert_cmpfloat (fabs (ox2 - (ox + 100)), <, 1);
  g_assert_cmpfloat (fabs (oy2 - (oy + 50)), <, 1);
  g_assert_false (deca_flow_document_can_undo (f.document));

  /* Space + drag over a card pans too, instead of moving the card. */
  click_node (&f, "a");
  deca_canvas_get_offset (f.canvas, &ox, &oy);
  {
    double x, y;

    node_point (&f, "a", 0.5, 0.5, &x, &y);
    deca_ui_test_key_hold (GTK_WIDGET (f.canvas), GDK_KEY_space, TRUE);
    deca_ui_test_drag (GTK_WIDGET (f.canvas), x, y, x + 60, y + 30, 5);
    deca_ui_test_key_hold (GTK_WIDGET (f.canvas), GDK_KEY_space, FALSE);
  }
  deca_canvas_get_offset (f.canvas, &ox2, &oy2);
  g_assert_cmpfloat (fabs (ox2 - (ox - 60)), <, 1);
  g_assert_cmpfloat (fabs (oy2 - (oy - 30)), <, 1);
  g_assert_cmpfloat (deca_flow_node_item_get_x (deca_flow_document_lookup_node (f.document, "a")), ==, 0);
  g_assert_false (deca_flow_document_can_undo (f.document));

  /* A click on the minimap centres the view there: its middle shows the flow's middle. */
  deca_canvas_set_show_minimap (f.canvas, TRUE);
  deca_canvas_set_view (f.canvas, 3000, 3000, 1.0);
  deca_ui_test_wait_for_draw (GTK_WIDGET (f.canvas));
  deca_ui_test_click (GTK_WIDGET (f.canvas), width - 12 - 100, height - 12 - 65);
  {
    double cx, cy;

    deca_canvas_widget_to_canvas (f.canvas, width / 2.0, height / 2.0, &cx, &cy);
    /* The cards span 0..600 x 0..280. */
    g_assert_cmpfloat (fabs (cx - 300), <, 20);
    g_assert_cmpfloat (fabs (cy - 140), <, 20);
  }

  /* With every card in view the minimap is gone: the same click is one on empty canvas
   * and leaves the view where it is. */
  deca_ui_test_wait_for_draw (GTK_WIDGET (f.canvas));
  deca_canvas_get_offset (f.canvas, &ox, &oy);
  deca_ui_test_click (GTK_WIDGET (f.canvas), width - 12 - 160, height - 12 - 100);
  deca_canvas_get_offset (f.canvas, &ox2, &oy2);
  g_assert_cmpfloat (ox2, ==, ox);
  g_assert_cmpfloat (oy2, ==, oy);
  fixture_tear_down (&f);
}

static void
test_zoom_to_fit_on_set_document (void)
{
  g_autoptr(DecaNodeRegistry) registry = deca_node_registry_new_builtin ();
  Fixture f = { 0 };
  DecaFlowDocument *other;
  g_autoptr(GError) error = NULL;

  fixture_set_up (&f, three_nodes, NULL);
  other = deca_flow_document_new_from_data (registry,
    "{ \"nodes\": [ { \"id\": \"far\", \"type\": \"log\", \"config\": { \"message\": \"x\" },"
    "  \"position\": { \"x\": 9000, \"y\": 7000 } } ] }", -1, &error);
  g_assert_no_error (error);
  deca_canvas_set_document (f.canvas, other);
  deca_ui_test_wait_for_draw (GTK_WIDGET (f.canvas));
  {
    double x, y;
    DecaFlowNodeItem *far = deca_flow_document_lookup_node (other, "far");

    deca_canvas_canvas_to_widget (f.canvas, deca_flow_node_item_get_x (far),
                                  deca_flow_node_item_get_y (far), &x, &y);
    g_assert_cmpfloat (x, >=, 0);
    g_assert_cmpfloat (x + DECA_NODE_VIEW_WIDTH, <=, gtk_widget_get_width (GTK_WIDGET (f.canvas)));
  }
  deca_canvas_set_document (f.canvas, f.document);
  g_assert_finalize_object (other);
  fixture_tear_down (&f);
}

/* ---- connections ------------------------------------------------------------------------- */

static gboolean
popover_shown (gpointer data)
{
  return gtk_widget_get_mapped (GTK_WIDGET (data));
}

static gboolean
popover_hidden (gpointer data)
{
  return !gtk_widget_get_visible (GTK_WIDGET (data));
}

static void
test_edit_condition (void)
{
  Fixture f = { 0 };
  DecaFlowConnectionItem *connection;
  GtkWidget *view, *popover, *error_label;
  graphene_rect_t bounds;

  fixture_set_up (&f, three_nodes, NULL);
  drag_port_to_node (&f, "a", "b");
  connection = connection_at (&f, 0);
  deca_ui_test_wait_for_draw (GTK_WIDGET (f.canvas));

  /* Click on the curve, a quarter of the way: selects the connection. */
  {
    double x1, y1, x2, y2;

    node_point (&f, "a", 1.0, 0.5, &x1, &y1);
    node_point (&f, "b", 0.0, 0.5, &x2, &y2);
    deca_ui_test_click (GTK_WIDGET (f.canvas), x1 + (x2 - x1) / 4, y1);
  }
  g_assert_true (deca_canvas_get_selected_connection (f.canvas) == connection);
  assert_selection (&f, (const char *[]) { NULL });

  /* Enter opens the editor; type a condition; Enter sets it. */
  deca_ui_test_key (GTK_WIDGET (f.canvas), GDK_KEY_Return, 0);
  popover = find_child_with_class (GTK_WIDGET (f.canvas), GTK_TYPE_POPOVER, NULL);
  g_assert_nonnull (popover);
  g_assert_true (deca_ui_test_wait_until (popover_shown, popover, 5000));
  deca_ui_test_type_text (GTK_WIDGET (f.canvas), "{{a.n}} > 1");
  deca_ui_test_key (GTK_WIDGET (f.canvas), GDK_KEY_Return, 0);
  g_assert_cmpstr (deca_flow_connection_item_get_condition (connection), ==, "{{a.n}} > 1");
  g_assert_true (deca_ui_test_wait_until (popover_hidden, popover, 5000));

  /* The label shows it; a double-click on the label edits it again; a condition that
   * does not parse is kept and explained, and the editor stays open. */
  deca_ui_test_wait_for_draw (GTK_WIDGET (f.canvas));
  view = find_child_with_class (GTK_WIDGET (f.canvas), DECA_TYPE_CONNECTION_VIEW, "conditional");
  g_assert_nonnull (view);
  g_assert_true (gtk_widget_compute_bounds (view, GTK_WIDGET (f.canvas), &bounds));
  deca_ui_test_click (GTK_WIDGET (f.canvas), bounds.origin.x + bounds.size.width / 2,
                      bounds.origin.y + bounds.size.height / 2);
  deca_ui_test_click (GTK_WIDGET (f.canvas), bounds.origin.x + bounds.size.width / 2,
                      bounds.origin.y + bounds.size.height / 2);
  g_assert_true (deca_ui_test_wait_until (popover_shown, popover, 5000));
  deca_ui_test_key (GTK_WIDGET (f.canvas), GDK_KEY_a, GDK_CONTROL_MASK);
  deca_ui_test_type_text (GTK_WIDGET (f.canvas), "{{a.n > ");
  deca_ui_test_key (GTK_WIDGET (f.canvas), GDK_KEY_Return, 0);
  g_assert_cmpstr (deca_flow_connection_item_get_condition (connection), ==, "{{a.n > ");
  error_label = find_child_with_class (popover, GTK_TYPE_LABEL, "error");
  g_assert_nonnull (error_label);
  g_assert_true (gtk_widget_get_visible (error_label));
  g_assert_cmpstr (gtk_label_get_text (GTK_LABEL (error_label)), !=, "");
  g_assert_true (gtk_widget_get_visible (popover));
  deca_ui_test_key (GTK_WIDGET (f.canvas), GDK_KEY_Escape, 0);
  g_assert_true (deca_ui_test_wait_until (popover_hidden, popover, 5000));

  /* Delete removes the selected connection. */
  deca_canvas_set_selected_connection (f.canvas, connection);
  gtk_widget_grab_focus (GTK_WIDGET (f.canvas));
  deca_ui_test_key (GTK_WIDGET (f.canvas), GDK_KEY_Delete, 0);
  g_assert_cmpuint (n_connections (&f), ==, 0);
  g_assert_null (deca_canvas_get_selected_connection (f.canvas));
  fixture_tear_down (&f);
}

/* ---- drawing ---------------------------------------------------------------------------------- */

/* The canvas as drawn now, BGRA, gtk_widget_get_width() x _height(). */
static guchar *
render_canvas (Fixture *f)
{
  GtkWidget *widget = GTK_WIDGET (f->canvas);
  g_autoptr(GdkPaintable) paintable = gtk_widget_paintable_new (widget);
  GtkSnapshot *snapshot = gtk_snapshot_new ();
  g_autoptr(GskRenderNode) node = NULL;
  g_autoptr(GdkTexture) texture = NULL;
  int width = gtk_widget_get_width (widget), height = gtk_widget_get_height (widget);
  guchar *pixels = g_malloc ((gsize) width * height * 4);

  /* Laid out and drawn as it is now. */
  deca_ui_test_wait_for_draw (widget);
  gdk_paintable_snapshot (paintable, snapshot, width, height);
  node = gtk_snapshot_free_to_node (snapshot);
  g_assert_nonnull (node);
  texture = gsk_renderer_render_texture (gtk_native_get_renderer (gtk_widget_get_native (widget)),
                                         node, &GRAPHENE_RECT_INIT (0, 0, width, height));
  gdk_texture_download (texture, pixels, width * 4);
  return pixels;
}

/* Counts the pixels of @rect (widget coordinates) of the canvas as drawn that differ
 * from the canvas's background, and those in GTK's "cannot draw this" pink. */
static void
count_drawn_pixels (Fixture               *f,
                    const graphene_rect_t *rect,
                    guint                 *drawn,
                    guint                 *pink)
{
  GtkWidget *widget = GTK_WIDGET (f->canvas);
  int width = gtk_widget_get_width (widget), height = gtk_widget_get_height (widget);
  g_autofree guchar *pixels = render_canvas (f);
  const guchar *background;

  /* The view's corner is empty canvas, away from the minimap. */
  background = pixels + 4 * (3 * width + 3);
  *drawn = *pink = 0;
  for (int y = MAX (0, (int) rect->origin.y); y < MIN (height, (int) (rect->origin.y + rect->size.height)); y++)
    for (int x = MAX (0, (int) rect->origin.x); x < MIN (width, (int) (rect->origin.x + rect->size.width)); x++)
      {
        const guchar *p = pixels + 4 * (y * width + x);

        if (abs (p[0] - background[0]) + abs (p[1] - background[1]) + abs (p[2] - background[2]) > 60)
          (*drawn)++;
        /* BGRA */
        if (p[2] == 255 && p[1] == 105 && p[0] == 180)
          (*pink)++;
      }
}

static void
test_draws_cards (void)
{
  Fixture f = { 0 };
  graphene_rect_t card;
  double x, y;
  guint drawn, pink;

  fixture_set_up (&f, three_nodes, NULL);
  node_point (&f, "a", 0, 0, &x, &y);
  graphene_rect_init (&card, x, y, DECA_NODE_VIEW_WIDTH, DECA_NODE_VIEW_MIN_HEIGHT);

  /* The title and type are text: a good number of pixels unlike the background. */
  count_drawn_pixels (&f, &card, &drawn, &pink);
  g_assert_cmpuint (pink, ==, 0);
  g_assert_cmpuint (drawn, >, 100);

  /* While the view moves (cards drawn from their kept images), and zoomed out to boxes. */
  deca_canvas_set_view (f.canvas, -100, -100, 1.0);
  deca_canvas_set_view (f.canvas, -101, -100, 1.0);
  deca_canvas_set_view (f.canvas, -100, -100, 1.0);
  deca_ui_test_wait_for_draw (GTK_WIDGET (f.canvas));
  count_drawn_pixels (&f, &card, &drawn, &pink);
  g_assert_cmpuint (pink, ==, 0);
  g_assert_cmpuint (drawn, >, 100);

  deca_canvas_set_view (f.canvas, -100, -100, 0.2);
  deca_ui_test_wait_for_draw (GTK_WIDGET (f.canvas));
  node_point (&f, "a", 0, 0, &x, &y);
  graphene_rect_init (&card, x, y, DECA_NODE_VIEW_WIDTH * 0.2, DECA_NODE_VIEW_MIN_HEIGHT * 0.2);
  count_drawn_pixels (&f, &card, &drawn, &pink);
  g_assert_cmpuint (pink, ==, 0);
  g_assert_cmpuint (drawn, >, 10);
  fixture_tear_down (&f);
}

/* How many pixels of two drawings of the canvas differ clearly. */
static guint
count_different_pixels (Fixture      *f,
                        const guchar *a,
                        const guchar *b)
{
  int n = gtk_widget_get_width (GTK_WIDGET (f->canvas)) * gtk_widget_get_height (GTK_WIDGET (f->canvas));
  guint different = 0;

  for (int i = 0; i < n; i++)
    if (abs (a[4 * i] - b[4 * i]) + abs (a[4 * i + 1] - b[4 * i + 1])
        + abs (a[4 * i + 2] - b[4 * i + 2]) > 48)
      different++;
  return different;
}

static gboolean
problems_read (gpointer data)
{
  return DECA_CANVAS (data)->problems_timeout_id == 0;
}

static gboolean
view_rests (gpointer data)
{
  return !DECA_CANVAS (data)->view_moving;
}

/* Moves the view away and back: it shows the same place as before, and is moving. It
 * stays so until settle_view(): the timer that ends the move is stopped. */
static void
move_view (Fixture *f)
{
  deca_canvas_set_view (f->canvas, -41, -30, 1.0);
  deca_canvas_set_view (f->canvas, -40, -30, 1.0);
  g_assert_true (f->canvas->view_moving);
  g_clear_handle_id (&f->canvas->settle_id, g_source_remove);
}

/* Lets the view come to rest, as after a real move. */
static void
settle_view (Fixture *f)
{
  deca_canvas_set_view (f->canvas, -41, -30, 1.0);
  deca_canvas_set_view (f->canvas, -40, -30, 1.0);
  g_assert_true (deca_ui_test_wait_until (view_rests, f->canvas, 5000));
}

static void
select_a (Fixture *f)
{
  deca_canvas_set_selection (f->canvas, (const char *[]) { "a", NULL });
}

static void
highlight_port_of_c (Fixture *f)
{
  deca_node_view_set_connect_port (node_view (f, "c"), "error", "Connecting");
}

/* Makes @change while the view moves (its tiles drawn), and checks that the moving view
 * then shows what the resting view shows afterwards, and that this differs from how the
 * view looked before. */
static void
assert_change_shows_moving (Fixture *f,
                            void   (*change) (Fixture *f))
{
  g_autofree guchar *before = NULL, *moving = NULL, *rested = NULL;

  move_view (f);
  before = render_canvas (f);
  change (f);
  moving = render_canvas (f);
  settle_view (f);
  rested = render_canvas (f);
  g_assert_cmpuint (count_different_pixels (f, before, rested), >, 100);
  g_assert_cmpuint (count_different_pixels (f, moving, rested), <, 20);
}

/* The moving view is drawn from kept tiles: it must show what the resting view shows,
 * and a card that changes while the view moves must show its change. */
static void
test_moving_view_matches (void)
{
  Fixture f = { 0 };
  g_autoptr(GError) error = NULL;
  g_autofree guchar *moving = NULL, *resting = NULL;
  g_autoptr(GtkCssProvider) css = gtk_css_provider_new ();

  /* The studio's style, which draws the cards' frames and the selection. */
  gtk_css_provider_load_from_resource (css, "/io/deca/Studio/style.css");
  gtk_style_context_add_provider_for_display (gdk_display_get_default (),
                                              GTK_STYLE_PROVIDER (css),
                                              GTK_STYLE_PROVIDER_PRIORITY_APPLICATION);
  fixture_set_up (&f, three_nodes, NULL);
  g_assert_nonnull (deca_flow_document_connect (f.document, "a", NULL, "b", NULL, NULL, FALSE,
                                                &error));
  g_assert_nonnull (deca_flow_document_connect (f.document, "b", NULL, "c", NULL, NULL, FALSE,
                                                &error));
  /* The cards show their problems a moment after an edit, and may grow: let them. */
  g_assert_true (deca_ui_test_wait_until (problems_read, f.canvas, 5000));
  g_free (render_canvas (&f));

  move_view (&f);
  moving = render_canvas (&f);
  g_assert_cmpuint (deca_canvas_tiles_get_bytes (f.canvas->tiles), >, 0);
  settle_view (&f);
  g_assert_cmpuint (deca_canvas_tiles_get_bytes (f.canvas->tiles), ==, 0);
  resting = render_canvas (&f);
  /* The same cards, curves and grid, to a few pixels of an edge. */
  g_assert_cmpuint (count_different_pixels (&f, moving, resting), <, 20);

  /* A card selected while the view moves shows selected. */
  assert_change_shows_moving (&f, select_a);
  /* So does a card that draws differently by itself (the port a keyboard connection
   * leaves from), without a move or a selection. */
  assert_change_shows_moving (&f, highlight_port_of_c);

  /* Cards that move while the view moves (a drag with the view scrolling along) are
   * drawn directly: tiles would have to be drawn anew at every frame. */
  move_view (&f);
  g_free (render_canvas (&f));
  g_assert_cmpuint (deca_canvas_tiles_get_bytes (f.canvas->tiles), >, 0);
  g_assert_true (deca_flow_document_set_node_position (f.document, "a", 20, 40));
  g_free (render_canvas (&f));
  g_assert_cmpuint (deca_canvas_tiles_get_bytes (f.canvas->tiles), ==, 0);
  /* Once they stop, the moving view is drawn from tiles again. */
  gtk_widget_queue_draw (GTK_WIDGET (f.canvas));
  g_free (render_canvas (&f));
  g_assert_cmpuint (deca_canvas_tiles_get_bytes (f.canvas->tiles), >, 0);
  fixture_tear_down (&f);
  gtk_style_context_remove_provider_for_display (gdk_display_get_default (),
                                                 GTK_STYLE_PROVIDER (css));
}

/* Cards out of view are not laid out while the view moves, but once it rests they are
 * where the view puts them: screen readers and magnifiers ask. */
static void
test_offscreen_cards_placed (void)
{
  Fixture f = { 0 };
  graphene_rect_t bounds;
  double wx, wy;

  fixture_set_up (&f, three_nodes, NULL);
  deca_canvas_set_view (f.canvas, 3000, 2000, 1.0);
  g_assert_true (deca_ui_test_wait_until (view_rests, f.canvas, 5000));
  deca_ui_test_wait_for_draw (GTK_WIDGET (f.canvas));

  g_assert_true (gtk_widget_compute_bounds (GTK_WIDGET (node_view (&f, "a")),
                                            GTK_WIDGET (f.canvas), &bounds));
  deca_canvas_canvas_to_widget (f.canvas, 0, 0, &wx, &wy);
  g_assert_cmpfloat (fabs (bounds.origin.x - wx), <, 1);
  g_assert_cmpfloat (fabs (bounds.origin.y - wy), <, 1);
  /* Out of view, it cannot be picked. */
  g_assert_false (gtk_widget_get_can_target (GTK_WIDGET (node_view (&f, "a"))));
  fixture_tear_down (&f);
}

/* ---- accessibility and lifetime ------------------------------------------------------------- */

static void
test_accessible_names (void)
{
  Fixture f = { 0 };
  GtkWidget *view;
  g_autofree char *name = NULL;
  g_autofree char *connection_name = NULL;

  fixture_set_up (&f,
    "{ \"nodes\": ["
    "  { \"id\": \"normalise\", \"type\": \"transform\", \"config\": { \"source\": 1 },"
    "    \"position\": { \"x\": 0, \"y\": 0 } },"
    "  { \"id\": \"say\", \"type\": \"log\", \"config\": {},"
    "    \"position\": { \"x\": 400, \"y\": 0 } } ],"
    "  \"connections\": [ { \"from\": \"normalise\", \"to\": \"say\","
    "                        \"condition\": \"{{normalise.ok}} == true\" } ] }", NULL);
  view = gtk_widget_get_first_child (GTK_WIDGET (f.canvas));
  for (; view; view = gtk_widget_get_next_sibling (view))
    if (DECA_IS_NODE_VIEW (view))
      {
        g_free (name);
        name = deca_node_view_dup_accessible_name (DECA_NODE_VIEW (view));
        if (g_str_has_prefix (name, "normalise"))
          g_assert_cmpstr (name, ==, "normalise, Transform");
        else
          g_assert_cmpstr (name, ==, "say, Log, 1 problem");
      }
    else if (DECA_IS_CONNECTION_VIEW (view))
      connection_name = deca_connection_view_dup_accessible_name (DECA_CONNECTION_VIEW (view));
  g_assert_cmpstr (connection_name, ==,
                   "Connection from normalise to say, when {{normalise.ok}} == true");
  g_assert_true (gtk_accessible_get_accessible_role (GTK_ACCESSIBLE (f.canvas))
                 == GTK_ACCESSIBLE_ROLE_GROUP);
  fixture_tear_down (&f);
}

static void
test_finalize (void)
{
  g_autoptr(DecaNodeRegistry) registry = deca_node_registry_new_builtin ();
  g_autoptr(GError) error = NULL;
  DecaFlowDocument *document = deca_flow_document_new_from_data (registry, three_nodes, -1,
                                                                &error);
  GtkWidget *canvas = deca_canvas_new ();
  GtkWindow *window;

  g_assert_no_error (error);
  g_object_ref_sink (canvas);
  deca_canvas_set_document (DECA_CANVAS (canvas), document);
  window = deca_ui_test_show (canvas, 600, 400);
  deca_canvas_set_document (DECA_CANVAS (canvas), NULL);
  g_assert_finalize_object (document);

  gtk_window_set_child (window, NULL);
  gtk_window_destroy (window);
  deca_ui_test_iterate ();
  g_assert_finalize_object (canvas);
}

int
main (int argc, char *argv[])
{
  deca_ui_test_init (&argc, &argv);
  g_test_add_func ("/deca/ui/canvas/drop-node-type", test_drop_node_type);
  g_test_add_func ("/deca/ui/canvas/move-node", test_move_node);
  g_test_add_func ("/deca/ui/canvas/connect-drag", test_connect_drag);
  g_test_add_func ("/deca/ui/canvas/refuse-cycle", test_refuse_cycle);
  g_test_add_func ("/deca/ui/canvas/connect-from-input", test_connect_from_input);
  g_test_add_func ("/deca/ui/canvas/refuse-from-input", test_refuse_from_input);
  g_test_add_func ("/deca/ui/canvas/undo-redo-keys", test_undo_redo_keys);
  g_test_add_func ("/deca/ui/canvas/delete-key", test_delete_key);
  g_test_add_func ("/deca/ui/canvas/copy-paste", test_copy_paste);
  g_test_add_func ("/deca/ui/canvas/rubber-band", test_rubber_band);
  g_test_add_func ("/deca/ui/canvas/keyboard-connect", test_keyboard_connect);
  g_test_add_func ("/deca/ui/canvas/keyboard-connect-port", test_keyboard_connect_port);
  g_test_add_func ("/deca/ui/canvas/keyboard-focus", test_keyboard_focus);
  g_test_add_func ("/deca/ui/canvas/zoom-keys", test_zoom_keys);
  g_test_add_func ("/deca/ui/canvas/pan", test_pan);
  g_test_add_func ("/deca/ui/canvas/zoom-to-fit-on-set-document", test_zoom_to_fit_on_set_document);
  g_test_add_func ("/deca/ui/canvas/edit-condition", test_edit_condition);
  g_test_add_func ("/deca/ui/canvas/draws-cards", test_draws_cards);
  g_test_add_func ("/deca/ui/canvas/moving-view-matches", test_moving_view_matches);
  g_test_add_func ("/deca/ui/canvas/offscreen-cards-placed", test_offscreen_cards_placed);
  g_test_add_func ("/deca/ui/canvas/accessible-names", test_accessible_names);
  g_test_add_func ("/deca/ui/canvas/finalize", test_finalize);
  return g_test_run ();
}
