/* test-palette.c: the node palette, driven with real input: search, groups, activation,
 * drag and drop, icons and accessible names. */

#include "deca-ui-test.h"
#include "deca-palette.h"
#include "deca-palette-row.h"

/* ---- a node type of any category, for the groups the built-ins do not fill --------- */

#define TEST_TYPE_NODE_TYPE (test_node_type_get_type ())
G_DECLARE_FINAL_TYPE (TestNodeType, test_node_type, TEST, NODE_TYPE, GObject)

struct _TestNodeType
{
  GObject parent_instance;
  char *name;
  char *title;
  char *category;
};

static void test_node_type_iface_init (DecaNodeTypeInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (TestNodeType, test_node_type, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (DECA_TYPE_NODE_TYPE,
                                                      test_node_type_iface_init))

static const char *
test_node_type_get_name (DecaNodeType *type)
{
  return TEST_NODE_TYPE (type)->name;
}

static const char *
test_node_type_get_title (DecaNodeType *type)
{
  return TEST_NODE_TYPE (type)->title;
}

static const char *
test_node_type_get_description (DecaNodeType *type)
{
  return "A node type of the palette test.";
}

static const char *
test_node_type_get_category (DecaNodeType *type)
{
  return TEST_NODE_TYPE (type)->category;
}

static void
test_node_type_invoke (DecaNodeType       *type,
                       DecaNodeInvocation *invocation)
{
  g_assert_not_reached ();
}

static void
test_node_type_iface_init (DecaNodeTypeInterface *iface)
{
  iface->get_name = test_node_type_get_name;
  iface->get_title = test_node_type_get_title;
  iface->get_description = test_node_type_get_description;
  iface->get_category = test_node_type_get_category;
  iface->invoke = test_node_type_invoke;
}

static void
test_node_type_finalize (GObject *object)
{
  TestNodeType *self = TEST_NODE_TYPE (object);

  g_free (self->name);
  g_free (self->title);
  g_free (self->category);
  G_OBJECT_CLASS (test_node_type_parent_class)->finalize (object);
}

static void
test_node_type_class_init (TestNodeTypeClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = test_node_type_finalize;
}

static void
test_node_type_init (TestNodeType *self)
{
}

static DecaNodeType *
test_node_type_new (const char *name,
                    const char *title,
                    const char *category)
{
  TestNodeType *self = g_object_new (TEST_TYPE_NODE_TYPE, NULL);

  self->name = g_strdup (name);
  self->title = g_strdup (title);
  self->category = g_strdup (category);
  return DECA_NODE_TYPE (self);
}

/* ---- looking into the palette ------------------------------------------------------- */

static GtkWidget *
find_descendant (GtkWidget *widget,
                 GType      type)
{
  if (G_TYPE_CHECK_INSTANCE_TYPE (widget, type))
    return widget;
  for (GtkWidget *child = gtk_widget_get_first_child (widget); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *found = find_descendant (child, type);

      if (found != NULL)
        return found;
    }
  return NULL;
}

static GtkListBox *
palette_list (DecaPalette *palette)
{
  GtkWidget *list = find_descendant (GTK_WIDGET (palette), GTK_TYPE_LIST_BOX);

  g_assert_nonnull (list);
  return GTK_LIST_BOX (list);
}

static GtkWidget *
palette_entry (DecaPalette *palette)
{
  GtkWidget *entry = find_descendant (GTK_WIDGET (palette), GTK_TYPE_SEARCH_ENTRY);

  g_assert_nonnull (entry);
  return entry;
}

/* Returns (transfer container) the rows on screen, top to bottom. */
static GPtrArray *
visible_rows (DecaPalette *palette)
{
  GPtrArray *rows = g_ptr_array_new ();
  GtkListBox *list = palette_list (palette);

  if (!gtk_widget_get_mapped (GTK_WIDGET (list)))
    return rows;
  for (GtkWidget *child = gtk_widget_get_first_child (GTK_WIDGET (list)); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    if (DECA_IS_PALETTE_ROW (child) && gtk_widget_get_mapped (child))
      g_ptr_array_add (rows, child);
  return rows;
}

/* The names of the types on screen, top to bottom, joined with spaces. */
static char *
visible_names (DecaPalette *palette)
{
  g_autoptr(GPtrArray) rows = visible_rows (palette);
  GString *names = g_string_new (NULL);

  for (guint i = 0; i < rows->len; i++)
    {
      DecaNodeType *type = deca_palette_row_get_node_type (rows->pdata[i]);

      if (i > 0)
        g_string_append_c (names, ' ');
      g_string_append (names, deca_node_type_get_name (type));
    }
  return g_string_free (names, FALSE);
}

/* The group headers on screen, top to bottom, joined with commas. */
static char *
visible_headers (DecaPalette *palette)
{
  g_autoptr(GPtrArray) rows = visible_rows (palette);
  GString *headers = g_string_new (NULL);

  for (guint i = 0; i < rows->len; i++)
    {
      GtkWidget *header = gtk_list_box_row_get_header (rows->pdata[i]);

      if (header == NULL || !gtk_widget_get_mapped (header))
        continue;
      if (headers->len > 0)
        g_string_append_c (headers, ',');
      g_string_append (headers, gtk_label_get_text (GTK_LABEL (header)));
    }
  return g_string_free (headers, FALSE);
}

static GtkWidget *
row_of_type (DecaPalette *palette,
             const char  *name)
{
  g_autoptr(GPtrArray) rows = visible_rows (palette);

  for (guint i = 0; i < rows->len; i++)
    if (g_strcmp0 (deca_node_type_get_name (deca_palette_row_get_node_type (rows->pdata[i])),
                   name) == 0)
      return rows->pdata[i];
  return NULL;
}

typedef struct {
  DecaPalette *palette;
  const char  *expected;
} NamesWait;

static gboolean
names_are (gpointer data)
{
  NamesWait *wait = data;
  g_autofree char *names = visible_names (wait->palette);

  return g_strcmp0 (names, wait->expected) == 0;
}

/* Waits until the rows on screen are @expected (type names, top to bottom), and fails
 * with what is shown otherwise. */
static void
assert_names (DecaPalette *palette,
              const char  *expected)
{
  NamesWait wait = { palette, expected };
  g_autofree char *names = NULL;

  deca_ui_test_wait_until (names_are, &wait, 5000);
  names = visible_names (palette);
  g_assert_cmpstr (names, ==, expected);
}

static void
assert_headers (DecaPalette *palette,
                const char  *expected)
{
  g_autofree char *headers = visible_headers (palette);

  g_assert_cmpstr (headers, ==, expected);
}

/* Replaces the text of the search entry the way a person does: select all, type. */
static void
type_search (DecaPalette *palette,
             const char  *text)
{
  GtkWidget *entry = palette_entry (palette);

  deca_ui_test_key (entry, GDK_KEY_a, GDK_CONTROL_MASK);
  deca_ui_test_key (entry, GDK_KEY_BackSpace, 0);
  deca_ui_test_type_text (entry, text);
}

static DecaPalette *
show_palette (DecaNodeRegistry *registry,
              GtkWindow       **window)
{
  DecaPalette *palette = DECA_PALETTE (deca_palette_new (registry));

  *window = deca_ui_test_show (GTK_WIDGET (palette), 320, 900);
  return palette;
}

#define ALL_BUILTINS \
  "event manual schedule webhook " \
  "approval branch condition log loop respond subflow transform wait " \
  "http publish_event"

/* ---- tests -------------------------------------------------------------------------- */

static void
test_palette_search (void)
{
  g_autoptr(DecaNodeRegistry) registry = deca_node_registry_new_builtin ();
  GtkWindow *window;
  DecaPalette *palette = show_palette (registry, &window);
  GtkWidget *stack = find_descendant (GTK_WIDGET (palette), GTK_TYPE_STACK);
  GtkWidget *status = find_descendant (GTK_WIDGET (palette), ADW_TYPE_STATUS_PAGE);

  /* Everything, by group and title; the empty AI and DECA groups have no header. */
  assert_names (palette, ALL_BUILTINS);
  assert_headers (palette, "Triggers,Core,Integrations");
  g_assert_cmpuint (deca_palette_get_n_matches (palette), ==, 15);

  deca_ui_test_click_widget (palette_entry (palette));

  /* A word of a description. */
  type_search (palette, "cron");
  assert_names (palette, "schedule");
  assert_headers (palette, "Triggers");
  g_assert_cmpstr (deca_palette_get_search (palette), ==, "cron");

  /* Case does not matter; every word must match; the Core group goes. */
  type_search (palette, "HTTP Req");
  assert_names (palette, "webhook http");
  assert_headers (palette, "Triggers,Integrations");

  /* A group name, and a type name that is not in the title. */
  type_search (palette, "integrations");
  assert_names (palette, "http publish_event");
  type_search (palette, "subflow");
  assert_names (palette, "subflow");
  assert_headers (palette, "Core");

  /* Nothing matches: the status page says so. */
  type_search (palette, "zzzz");
  assert_names (palette, "");
  g_assert_cmpstr (gtk_stack_get_visible_child_name (GTK_STACK (stack)), ==, "empty");
  g_assert_true (gtk_widget_get_mapped (status));
  g_assert_cmpstr (adw_status_page_get_title (ADW_STATUS_PAGE (status)), ==,
                   "No node types match");
  g_assert_cmpuint (deca_palette_get_n_matches (palette), ==, 0);

  /* Escape clears the search. */
  deca_ui_test_key (palette_entry (palette), GDK_KEY_Escape, 0);
  assert_names (palette, ALL_BUILTINS);
  g_assert_cmpstr (gtk_stack_get_visible_child_name (GTK_STACK (stack)), ==, "list");

  /* The API filters at once. */
  deca_palette_set_search (palette, "  approve  ");
  assert_names (palette, "approval");

  gtk_window_destroy (window);
}

typedef struct {
  guint count;
  char *name;
} Activated;

static void
type_activated_cb (DecaPalette *palette,
                   const char  *name,
                   Activated   *activated)
{
  activated->count++;
  g_free (activated->name);
  activated->name = g_strdup (name);
}

static gboolean
activated_once (gpointer data)
{
  return ((Activated *) data)->count > 0;
}

static void
wait_activated (Activated  *activated,
                const char *expected)
{
  deca_ui_test_wait_until (activated_once, activated, 5000);
  g_assert_cmpuint (activated->count, ==, 1);
  g_assert_cmpstr (activated->name, ==, expected);
  activated->count = 0;
  g_clear_pointer (&activated->name, g_free);
}

static gboolean
focus_within (GtkWidget *widget)
{
  GtkWidget *focus = gtk_root_get_focus (gtk_widget_get_root (widget));

  return focus != NULL && (focus == widget || gtk_widget_is_ancestor (focus, widget));
}

static void
test_palette_activate (void)
{
  g_autoptr(DecaNodeRegistry) registry = deca_node_registry_new_builtin ();
  GtkWindow *window;
  DecaPalette *palette = show_palette (registry, &window);
  GtkWidget *entry = palette_entry (palette);
  Activated activated = { 0, NULL };
  GtkWidget *row;

  g_signal_connect (palette, "type-activated", G_CALLBACK (type_activated_cb), &activated);
  deca_ui_test_click_widget (entry);
  g_assert_true (focus_within (entry));

  /* Down moves from the search into the list; Enter on the row activates it. */
  type_search (palette, "loop");
  assert_names (palette, "loop");
  deca_ui_test_key (entry, GDK_KEY_Down, 0);
  row = row_of_type (palette, "loop");
  g_assert_true (gtk_widget_has_focus (row));
  deca_ui_test_key (entry, GDK_KEY_Return, 0);
  wait_activated (&activated, "loop");

  /* Up on the first row goes back to the search. */
  deca_ui_test_key (entry, GDK_KEY_Up, 0);
  g_assert_true (focus_within (entry));

  /* Enter in the search activates the first match, even before the search delay ran. */
  type_search (palette, "condition");
  deca_ui_test_key (entry, GDK_KEY_Return, 0);
  wait_activated (&activated, "condition");

  /* Nothing matches: Enter activates nothing. */
  type_search (palette, "zzzz");
  deca_ui_test_key (entry, GDK_KEY_Return, 0);
  deca_ui_test_iterate ();
  g_assert_cmpuint (activated.count, ==, 0);

  /* Typing while a row has the focus goes to the search. */
  deca_ui_test_key (entry, GDK_KEY_Escape, 0);
  assert_names (palette, ALL_BUILTINS);
  deca_ui_test_key (entry, GDK_KEY_Down, 0);
  deca_ui_test_key (entry, GDK_KEY_Down, 0);
  g_assert_true (gtk_widget_has_focus (row_of_type (palette, "manual")));
  deca_ui_test_type_text (entry, "pause");
  assert_names (palette, "approval wait");
  g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (entry)), ==, "pause");
  g_assert_true (focus_within (entry));
  deca_ui_test_key (entry, GDK_KEY_BackSpace, 0);
  g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (entry)), ==, "paus");

  /* Escape on a row clears the search and goes back to the entry. */
  deca_ui_test_key (entry, GDK_KEY_Down, 0);
  g_assert_true (gtk_widget_has_focus (row_of_type (palette, "approval")));
  deca_ui_test_key (entry, GDK_KEY_Escape, 0);
  assert_names (palette, ALL_BUILTINS);
  g_assert_true (focus_within (entry));

  /* A single click does not add a node (it may be the start of a drag); a double-click
   * does. */
  deca_ui_test_key (entry, GDK_KEY_Escape, 0);
  assert_names (palette, ALL_BUILTINS);
  row = row_of_type (palette, "transform");
  deca_ui_test_click_widget (row);
  deca_ui_test_iterate ();
  g_assert_cmpuint (activated.count, ==, 0);
  deca_ui_test_click_widget (row);
  wait_activated (&activated, "transform");

  gtk_window_destroy (window);
}

static void
test_palette_drag_content (void)
{
  g_autoptr(DecaNodeRegistry) registry = deca_node_registry_new_builtin ();
  GtkWindow *window;
  DecaPalette *palette = show_palette (registry, &window);
  g_autoptr(GPtrArray) rows = visible_rows (palette);

  g_assert_cmpuint (rows->len, ==, 15);
  for (guint i = 0; i < rows->len; i++)
    {
      DecaPaletteRow *row = rows->pdata[i];
      DecaNodeType *type = deca_palette_row_get_node_type (row);
      GtkDragSource *source = NULL;
      g_autoptr(GListModel) controllers = gtk_widget_observe_controllers (GTK_WIDGET (row));
      GdkContentProvider *content;
      g_auto(GValue) value = G_VALUE_INIT;
      g_autoptr(GError) error = NULL;

      /* The row's own GtkDragSource, found as GTK sees it. */
      for (guint j = 0; j < g_list_model_get_n_items (controllers); j++)
        {
          g_autoptr(GObject) controller = g_list_model_get_item (controllers, j);

          if (GTK_IS_DRAG_SOURCE (controller))
            source = GTK_DRAG_SOURCE (controller);
        }
      g_assert_nonnull (source);
      g_assert_true (source == deca_palette_row_get_drag_source (row));

      content = gtk_drag_source_get_content (source);
      g_assert_nonnull (content);
      g_value_init (&value, DECA_TYPE_NODE_TYPE);
      g_assert_true (gdk_content_provider_get_value (content, &value, &error));
      g_assert_no_error (error);
      g_assert_true (g_value_get_object (&value) == (gpointer) type);
      g_assert_true (g_value_get_object (&value)
                     == (gpointer) deca_node_registry_lookup (registry,
                                                              deca_node_type_get_name (type)));
    }

  gtk_window_destroy (window);
}

typedef struct {
  DecaNodeType *dropped;
  guint drops;
} Drop;

static gboolean
drop_cb (GtkDropTarget *target,
         const GValue  *value,
         double         x,
         double         y,
         Drop          *drop)
{
  drop->drops++;
  g_set_object (&drop->dropped, g_value_get_object (value));
  return TRUE;
}

static gboolean
dropped (gpointer data)
{
  return ((Drop *) data)->drops > 0;
}

/* A real drag with the pointer, from a row to a drop target that takes node types (as
 * the canvas does). */
static void
test_palette_drag_and_drop (void)
{
  g_autoptr(DecaNodeRegistry) registry = deca_node_registry_new_builtin ();
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 0);
  GtkWidget *palette = deca_palette_new (registry);
  GtkWidget *area = gtk_label_new ("Drop here");
  GtkDropTarget *target = gtk_drop_target_new (DECA_TYPE_NODE_TYPE, GDK_ACTION_COPY);
  Drop drop = { NULL, 0 };
  GtkWindow *window;
  GtkWidget *row;
  double x, y;
  graphene_point_t in = GRAPHENE_POINT_INIT (0, 0), out;

  gtk_widget_set_size_request (palette, 300, -1);
  gtk_widget_set_hexpand (area, TRUE);
  g_signal_connect (target, "drop", G_CALLBACK (drop_cb), &drop);
  gtk_widget_add_controller (area, GTK_EVENT_CONTROLLER (target));
  gtk_box_append (GTK_BOX (box), palette);
  gtk_box_append (GTK_BOX (box), area);
  window = deca_ui_test_show (box, 800, 900);

  row = row_of_type (DECA_PALETTE (palette), "http");
  g_assert_nonnull (row);
  /* Where the middle of the drop area is, in the row's coordinates. */
  in.x = gtk_widget_get_width (area) / 2.0;
  in.y = gtk_widget_get_height (area) / 2.0;
  g_assert_true (gtk_widget_compute_point (area, row, &in, &out));
  x = gtk_widget_get_width (row) / 2.0;
  y = gtk_widget_get_height (row) / 2.0;

  deca_ui_test_pointer_move (row, x, y);
  deca_ui_test_button (row, 1, TRUE);
  for (guint i = 1; i <= 20; i++)
    deca_ui_test_pointer_move (row, x + (out.x - x) * i / 20, y + (out.y - y) * i / 20);
  /* X drag and drop is a conversation between source and target; let it settle on the
   * target before the release. */
  deca_ui_test_pointer_move (row, out.x + 1, out.y + 1);
  deca_ui_test_button (row, 1, FALSE);

  g_assert_true (deca_ui_test_wait_until (dropped, &drop, 5000));
  g_assert_cmpuint (drop.drops, ==, 1);
  g_assert_true (drop.dropped == deca_node_registry_lookup (registry, "http"));
  g_clear_object (&drop.dropped);

  gtk_window_destroy (window);
}

static void
test_palette_icons (void)
{
  g_autoptr(DecaNodeRegistry) registry = deca_node_registry_new_builtin ();
  g_autoptr(GPtrArray) types = deca_node_registry_list (registry);
  GtkIconTheme *theme = gtk_icon_theme_get_for_display (gdk_display_get_default ());
  const char *categories[] = { "trigger", "core", "flow", "ai", "integration", "deca",
                               "something-else" };
  g_autoptr(GHashTable) icons = g_hash_table_new (g_str_hash, g_str_equal);
  g_autofree char *theme_name = gtk_icon_theme_get_theme_name (theme);

  g_assert_cmpstr (theme_name, ==, "Adwaita");
  for (guint i = 0; i < types->len; i++)
    {
      const char *icon = deca_node_type_icon_name (types->pdata[i]);

      if (!gtk_icon_theme_has_icon (theme, icon))
        g_error ("the icon of %s, %s, is not in the icon theme",
                 deca_node_type_get_name (types->pdata[i]), icon);
      g_assert_true (g_str_has_suffix (icon, "-symbolic"));
      /* Every built-in type has its own icon. */
      g_assert_false (g_hash_table_contains (icons, icon));
      g_hash_table_add (icons, (gpointer) icon);
    }
  /* Types the palette does not know get an icon of their category. */
  for (guint i = 0; i < G_N_ELEMENTS (categories); i++)
    {
      g_autoptr(DecaNodeType) type = test_node_type_new ("unknown", "Unknown", categories[i]);
      const char *icon = deca_node_type_icon_name (type);

      g_assert_true (gtk_icon_theme_has_icon (theme, icon));
    }
}

static void
test_palette_groups (void)
{
  static const struct {
    const char *category;
    const char *group;
  } cases[] = {
    { "trigger", "Triggers" },
    { "core", "Core" },
    { "flow", "Core" },
    { "ai", "AI" },
    { "integration", "Integrations" },
    { "deca", "DECA" },
    { "", "Core" },
    { "something-else", "Core" },
  };
  g_autoptr(DecaNodeRegistry) registry = deca_node_registry_new ();
  g_autoptr(DecaNodeType) agent = test_node_type_new ("agent", "Agent", "ai");
  g_autoptr(DecaNodeType) sync = test_node_type_new ("deca-sync", "Sync", "deca");
  g_autoptr(DecaNodeType) log = test_node_type_new ("note", "Note", "core");
  GtkWindow *window;
  DecaPalette *palette;

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(DecaNodeType) type = test_node_type_new ("t", "T", cases[i].category);

      g_assert_cmpstr (deca_palette_group_for_type (type), ==, cases[i].group);
    }

  /* Groups come in their fixed order, whatever the registry's. */
  deca_node_registry_add (registry, sync);
  deca_node_registry_add (registry, agent);
  palette = show_palette (registry, &window);
  assert_names (palette, "agent deca-sync");
  assert_headers (palette, "AI,DECA");

  /* Relisting picks up types added to the registry. */
  deca_node_registry_add (registry, log);
  deca_palette_set_registry (palette, registry);
  assert_names (palette, "note agent deca-sync");
  assert_headers (palette, "Core,AI,DECA");

  /* No registry: an empty palette that says so. */
  deca_palette_set_registry (palette, NULL);
  assert_names (palette, "");
  g_assert_cmpstr (adw_status_page_get_title (ADW_STATUS_PAGE (
                     find_descendant (GTK_WIDGET (palette), ADW_TYPE_STATUS_PAGE))),
                   ==, "No node types");

  gtk_window_destroy (window);
}

static void
test_palette_accessible (void)
{
  g_autoptr(DecaNodeRegistry) registry = deca_node_registry_new_builtin ();
  GtkWindow *window;
  DecaPalette *palette = show_palette (registry, &window);

  gtk_test_accessible_assert_role (GTK_ACCESSIBLE (palette_list (palette)),
                                   GTK_ACCESSIBLE_ROLE_LIST);
  gtk_test_accessible_assert_property (GTK_ACCESSIBLE (palette_list (palette)),
                                       GTK_ACCESSIBLE_PROPERTY_LABEL, "Node types");
  gtk_test_accessible_assert_property (GTK_ACCESSIBLE (row_of_type (palette, "http")),
                                       GTK_ACCESSIBLE_PROPERTY_LABEL,
                                       "HTTP request, Integrations");
  gtk_test_accessible_assert_property (GTK_ACCESSIBLE (row_of_type (palette, "schedule")),
                                       GTK_ACCESSIBLE_PROPERTY_LABEL, "Schedule, Triggers");
  gtk_test_accessible_assert_property (GTK_ACCESSIBLE (palette_entry (palette)),
                                       GTK_ACCESSIBLE_PROPERTY_LABEL, "Search node types");
  /* The full description is the tooltip, and the accessible description. */
  g_assert_cmpstr (gtk_widget_get_tooltip_text (row_of_type (palette, "http")), ==,
                   deca_node_type_get_description (deca_node_registry_lookup (registry, "http")));

  gtk_window_destroy (window);
}

static void
test_palette_finalize (void)
{
  g_autoptr(DecaNodeRegistry) registry = deca_node_registry_new_builtin ();
  GtkWidget *palette = deca_palette_new (registry);

  g_object_ref_sink (palette);
  g_assert_true (deca_palette_get_registry (DECA_PALETTE (palette)) == registry);
  g_assert_finalize_object (palette);
}

int
main (int argc, char *argv[])
{
  /* GTK's test accessibility backend keeps the accessible properties where the
   * accessible tests can read them, without AT-SPI (the suite's GTK_A11Y=none would
   * create no accessible contexts at all). */
  g_setenv ("GTK_A11Y", "test", TRUE);
  deca_ui_test_init (&argc, &argv);
  g_test_add_func ("/deca/ui/palette/search", test_palette_search);
  g_test_add_func ("/deca/ui/palette/activate", test_palette_activate);
  g_test_add_func ("/deca/ui/palette/drag-content", test_palette_drag_content);
  g_test_add_func ("/deca/ui/palette/drag-and-drop", test_palette_drag_and_drop);
  g_test_add_func ("/deca/ui/palette/icons", test_palette_icons);
  g_test_add_func ("/deca/ui/palette/groups", test_palette_groups);
  g_test_add_func ("/deca/ui/palette/accessible", test_palette_accessible);
  g_test_add_func ("/deca/ui/palette/finalize", test_palette_finalize);
  return g_test_run ();
}
