/* deca-palette.c: the node palette: node types of a registry, grouped and searchable. */

#include "config.h"

#include <adwaita.h>
#include <glib/gi18n-lib.h>

#include "deca-palette.h"
#include "deca-palette-row.h"

/* The palette groups, in the order they are listed. */
typedef enum {
  GROUP_TRIGGERS,
  GROUP_CORE,
  GROUP_AI,
  GROUP_INTEGRATIONS,
  GROUP_DECA,
} PaletteGroup;

struct _DecaPalette
{
  GtkWidget parent_instance;

  /* Template widgets. */
  GtkSearchEntry *search_entry;
  GtkStack       *stack;
  GtkListBox     *list_box;
  AdwStatusPage  *empty_page;

  /* Owned. */
  DecaNodeRegistry   *registry;
  GListStore         *store;         /* DecaNodeType, as the registry lists them */
  GtkFilterListModel *filter_model;  /* sorted by group and title, then filtered */
  GtkCustomFilter    *filter;
  char               *search;        /* the search text the filter applies, never NULL */
  char              **search_words;  /* casefolded, normalised words of @search */
};

G_DEFINE_FINAL_TYPE (DecaPalette, deca_palette, GTK_TYPE_WIDGET)

enum {
  PROP_0,
  PROP_REGISTRY,
  PROP_SEARCH,
  N_PROPS
};

enum {
  SIGNAL_TYPE_ACTIVATED,
  N_SIGNALS
};

static GParamSpec *properties[N_PROPS];
static guint signals[N_SIGNALS];

/* ---- groups and icons --------------------------------------------------------------- */

static PaletteGroup
group_of_type (DecaNodeType *type)
{
  const char *category = deca_node_type_get_category (type);

  if (g_strcmp0 (category, "trigger") == 0)
    return GROUP_TRIGGERS;
  if (g_strcmp0 (category, "ai") == 0)
    return GROUP_AI;
  if (g_strcmp0 (category, "integration") == 0)
    return GROUP_INTEGRATIONS;
  if (g_strcmp0 (category, "deca") == 0)
    return GROUP_DECA;
  /* "core", "flow" and categories the palette does not know yet. */
  return GROUP_CORE;
}

static const char *
group_title (PaletteGroup group)
{
  switch (group)
    {
    case GROUP_TRIGGERS:
      return _("Triggers");
    case GROUP_CORE:
      return _("Core");
    case GROUP_AI:
      /* TRANSLATORS: the palette group of the artificial-intelligence node types. */
      return _("AI");
    case GROUP_INTEGRATIONS:
      return _("Integrations");
    case GROUP_DECA:
      /* TRANSLATORS: the palette group of the node types of the DECA platform itself;
       * DECA is a name, usually left as it is. */
      return _("DECA");
    default:
      g_assert_not_reached ();
    }
}

const char *
deca_palette_group_for_type (DecaNodeType *type)
{
  g_return_val_if_fail (DECA_IS_NODE_TYPE (type), NULL);

  return group_title (group_of_type (type));
}

/* The built-in types' icons, all symbolic icons of adwaita-icon-theme 43
 * (tests/ui/test-palette.c checks that the theme has each of them). */
static const struct {
  const char *type;
  const char *icon;
} type_icons[] = {
  { "approval",  "emblem-ok-symbolic" },
  { "branch",    "media-playlist-shuffle-symbolic" },
  { "condition", "dialog-question-symbolic" },
  { "event",     "mail-unread-symbolic" },
  { "http",      "network-server-symbolic" },
  { "log",       "text-x-generic-symbolic" },
  { "loop",      "media-playlist-repeat-symbolic" },
  { "manual",    "media-playback-start-symbolic" },
  { "respond",   "mail-reply-sender-symbolic" },
  { "schedule",  "x-office-calendar-symbolic" },
  { "subflow",   "system-run-symbolic" },
  { "transform", "document-edit-symbolic" },
  { "wait",      "alarm-symbolic" },
  { "webhook",   "network-transmit-receive-symbolic" },
};

const char *
deca_node_type_icon_name (DecaNodeType *type)
{
  const char *name;

  g_return_val_if_fail (DECA_IS_NODE_TYPE (type), NULL);

  name = deca_node_type_get_name (type);
  for (guint i = 0; i < G_N_ELEMENTS (type_icons); i++)
    if (g_strcmp0 (type_icons[i].type, name) == 0)
      return type_icons[i].icon;

  /* A type the table does not know (a plugin's, or one newer than the table): the icon
   * of its category, so that it still looks like its neighbours. */
  if (g_strcmp0 (deca_node_type_get_category (type), "flow") == 0)
    return "media-playlist-consecutive-symbolic";
  switch (group_of_type (type))
    {
    case GROUP_TRIGGERS:
      return "media-playback-start-symbolic";
    case GROUP_AI:
      return "chat-message-new-symbolic";
    case GROUP_INTEGRATIONS:
      return "application-x-addon-symbolic";
    case GROUP_DECA:
      return "emblem-system-symbolic";
    case GROUP_CORE:
    default:
      return "application-x-executable-symbolic";
    }
}

/* ---- search ------------------------------------------------------------------------- */

/* Case and accents of composed characters do not matter: both sides are normalised
 * and casefolded. */
static char *
fold (const char *text)
{
  g_autofree char *normalized = g_utf8_normalize (text != NULL ? text : "", -1,
                                                  G_NORMALIZE_ALL);

  return g_utf8_casefold (normalized != NULL ? normalized : "", -1);
}

/* A type matches when every word of the search is in its title, name, description or
 * group. */
static gboolean
filter_func (gpointer item,
             gpointer user_data)
{
  DecaPalette *self = user_data;
  DecaNodeType *type = item;
  g_autofree char *haystack = NULL;
  g_autofree char *folded = NULL;

  if (self->search_words == NULL || self->search_words[0] == NULL)
    return TRUE;

  haystack = g_strjoin ("\n",
                        deca_node_type_get_title (type) ? deca_node_type_get_title (type) : "",
                        deca_node_type_get_name (type),
                        deca_node_type_get_description (type) ? deca_node_type_get_description (type) : "",
                        deca_palette_group_for_type (type),
                        NULL);
  folded = fold (haystack);
  for (guint i = 0; self->search_words[i] != NULL; i++)
    if (strstr (folded, self->search_words[i]) == NULL)
      return FALSE;
  return TRUE;
}

static int
compare_types (gconstpointer a,
               gconstpointer b,
               gpointer      user_data)
{
  DecaNodeType *ta = (DecaNodeType *) a, *tb = (DecaNodeType *) b;
  PaletteGroup ga = group_of_type (ta), gb = group_of_type (tb);
  int order;

  if (ga != gb)
    return ga < gb ? -1 : 1;
  order = g_utf8_collate (deca_node_type_get_title (ta) ? deca_node_type_get_title (ta) : "",
                          deca_node_type_get_title (tb) ? deca_node_type_get_title (tb) : "");
  if (order != 0)
    return order;
  return strcmp (deca_node_type_get_name (ta), deca_node_type_get_name (tb));
}

/* The list, or the status page when nothing is listed. */
static void
update_empty_state (DecaPalette *self)
{
  gboolean empty = g_list_model_get_n_items (G_LIST_MODEL (self->filter_model)) == 0;

  if (empty)
    {
      if (*self->search != '\0')
        {
          adw_status_page_set_title (self->empty_page, _("No node types match"));
          adw_status_page_set_description (self->empty_page,
                                           _("Try another word, or clear the search."));
        }
      else
        {
          adw_status_page_set_title (self->empty_page, _("No node types"));
          adw_status_page_set_description (self->empty_page,
                                           _("There are no node types to add."));
        }
    }
  gtk_stack_set_visible_child_name (self->stack, empty ? "empty" : "list");
}

/* Returns (transfer full) the words of @text, split at white space; never an empty
 * word (two spaces in a row). */
static char **
split_words (const char *text)
{
  g_auto(GStrv) parts = g_strsplit_set (text, " \t\n", -1);
  g_autoptr(GStrvBuilder) words = g_strv_builder_new ();

  for (guint i = 0; parts[i] != NULL; i++)
    if (*parts[i] != '\0')
      g_strv_builder_add (words, parts[i]);
  return g_strv_builder_end (words);
}

/* Applies @text to the filter (once: the entry reports the same text again after its
 * search delay). */
static void
apply_search (DecaPalette *self,
              const char  *text)
{
  g_autofree char *folded = NULL;

  if (text == NULL)
    text = "";
  if (g_strcmp0 (self->search, text) == 0)
    return;

  g_free (self->search);
  self->search = g_strdup (text);
  folded = fold (text);
  g_strfreev (self->search_words);
  self->search_words = split_words (folded);

  gtk_filter_changed (GTK_FILTER (self->filter), GTK_FILTER_CHANGE_DIFFERENT);
  update_empty_state (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SEARCH]);
}

/* ---- list --------------------------------------------------------------------------- */

static GtkWidget *
create_row_cb (gpointer item,
               gpointer user_data)
{
  return deca_palette_row_new (DECA_NODE_TYPE (item));
}

/* A header above the first row of each group. Groups without a row in the filtered list
 * have no row to carry a header, so they disappear with their last row. */
static void
update_header_cb (GtkListBoxRow *row,
                  GtkListBoxRow *before,
                  gpointer       user_data)
{
  DecaNodeType *type = deca_palette_row_get_node_type (DECA_PALETTE_ROW (row));
  PaletteGroup group = group_of_type (type);
  GtkWidget *header;

  if (before != NULL
      && group_of_type (deca_palette_row_get_node_type (DECA_PALETTE_ROW (before))) == group)
    {
      gtk_list_box_row_set_header (row, NULL);
      return;
    }

  header = gtk_list_box_row_get_header (row);
  if (header != NULL
      && g_strcmp0 (gtk_label_get_text (GTK_LABEL (header)), group_title (group)) == 0)
    return;

  header = gtk_label_new (group_title (group));
  gtk_label_set_xalign (GTK_LABEL (header), 0);
  gtk_widget_add_css_class (header, "heading");
  gtk_widget_add_css_class (header, "deca-palette-header");
  gtk_list_box_row_set_header (row, header);
}

static void
row_activated_cb (GtkListBox    *list_box,
                  GtkListBoxRow *row,
                  DecaPalette   *self)
{
  DecaNodeType *type = deca_palette_row_get_node_type (DECA_PALETTE_ROW (row));

  g_signal_emit (self, signals[SIGNAL_TYPE_ACTIVATED], 0, deca_node_type_get_name (type));
}

/* Up on the first row goes back to the search entry. */
static gboolean
list_keynav_failed_cb (GtkWidget        *list_box,
                       GtkDirectionType  direction,
                       DecaPalette      *self)
{
  if (direction != GTK_DIR_UP)
    return FALSE;
  gtk_widget_grab_focus (GTK_WIDGET (self->search_entry));
  return TRUE;
}

/* ---- search entry ------------------------------------------------------------------- */

static void
search_changed_cb (GtkSearchEntry *entry,
                   DecaPalette    *self)
{
  apply_search (self, gtk_editable_get_text (GTK_EDITABLE (entry)));
}

/* Enter in the entry adds the first match, so that "sched⏎" is a node. The text may be
 * newer than the filter (the search delay), so it is applied first. */
static void
search_activate_cb (GtkSearchEntry *entry,
                    DecaPalette    *self)
{
  g_autoptr(DecaNodeType) type = NULL;

  apply_search (self, gtk_editable_get_text (GTK_EDITABLE (entry)));
  type = g_list_model_get_item (G_LIST_MODEL (self->filter_model), 0);
  if (type == NULL)
    {
      gtk_widget_error_bell (GTK_WIDGET (entry));
      return;
    }
  g_signal_emit (self, signals[SIGNAL_TYPE_ACTIVATED], 0, deca_node_type_get_name (type));
}

/* Escape clears the search. */
static void
search_stop_cb (GtkSearchEntry *entry,
                DecaPalette    *self)
{
  gtk_editable_set_text (GTK_EDITABLE (entry), "");
  apply_search (self, "");
}

/* The text part of the search entry, for focusing it without selecting the text. */
static GtkText *
search_text (DecaPalette *self)
{
  for (GtkWidget *child = gtk_widget_get_first_child (GTK_WIDGET (self->search_entry));
       child != NULL; child = gtk_widget_get_next_sibling (child))
    if (GTK_IS_TEXT (child))
      return GTK_TEXT (child);
  g_assert_not_reached ();
}

/* Typing while the list has the focus started a search (the entry captures keys from
 * the whole palette): the focus follows the typing into the entry, so that Backspace,
 * Escape and Enter act on the search and the next letters append to it. */
static void
search_started_cb (GtkSearchEntry *entry,
                   DecaPalette    *self)
{
  gtk_text_grab_focus_without_selecting (search_text (self));
  gtk_editable_set_position (GTK_EDITABLE (entry), -1);
}

/* Escape on a row: back to an empty search. */
static void
clear_search_action (GtkWidget  *widget,
                     const char *action_name,
                     GVariant   *parameter)
{
  DecaPalette *self = DECA_PALETTE (widget);

  deca_palette_set_search (self, "");
  gtk_text_grab_focus_without_selecting (search_text (self));
}

/* Down (in the capture phase, before the entry's text takes it) moves into the list. */
static gboolean
search_key_pressed_cb (GtkEventControllerKey *controller,
                       guint                  keyval,
                       guint                  keycode,
                       GdkModifierType        state,
                       DecaPalette           *self)
{
  GtkListBoxRow *first;

  if ((keyval != GDK_KEY_Down && keyval != GDK_KEY_KP_Down)
      || (state & (GDK_CONTROL_MASK | GDK_ALT_MASK | GDK_SHIFT_MASK)) != 0)
    return GDK_EVENT_PROPAGATE;

  apply_search (self, gtk_editable_get_text (GTK_EDITABLE (self->search_entry)));
  first = gtk_list_box_get_row_at_index (self->list_box, 0);
  if (first == NULL)
    return GDK_EVENT_PROPAGATE;
  gtk_widget_grab_focus (GTK_WIDGET (first));
  return GDK_EVENT_STOP;
}

/* ---- the widget --------------------------------------------------------------------- */

static void
deca_palette_get_property (GObject    *object,
                           guint       prop_id,
                           GValue     *value,
                           GParamSpec *pspec)
{
  DecaPalette *self = DECA_PALETTE (object);

  switch (prop_id)
    {
    case PROP_REGISTRY:
      g_value_set_object (value, self->registry);
      break;
    case PROP_SEARCH:
      g_value_set_string (value, self->search);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
deca_palette_set_property (GObject      *object,
                           guint         prop_id,
                           const GValue *value,
                           GParamSpec   *pspec)
{
  DecaPalette *self = DECA_PALETTE (object);

  switch (prop_id)
    {
    case PROP_REGISTRY:
      deca_palette_set_registry (self, g_value_get_object (value));
      break;
    case PROP_SEARCH:
      deca_palette_set_search (self, g_value_get_string (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
deca_palette_dispose (GObject *object)
{
  DecaPalette *self = DECA_PALETTE (object);

  /* The list box holds rows (and their types) through the binding; unbind first. */
  if (self->list_box != NULL)
    gtk_list_box_bind_model (self->list_box, NULL, NULL, NULL, NULL);
  gtk_widget_dispose_template (GTK_WIDGET (self), DECA_TYPE_PALETTE);

  g_clear_object (&self->filter_model);
  g_clear_object (&self->filter);
  g_clear_object (&self->store);
  g_clear_object (&self->registry);

  G_OBJECT_CLASS (deca_palette_parent_class)->dispose (object);
}

static void
deca_palette_finalize (GObject *object)
{
  DecaPalette *self = DECA_PALETTE (object);

  g_free (self->search);
  g_strfreev (self->search_words);

  G_OBJECT_CLASS (deca_palette_parent_class)->finalize (object);
}

static gboolean
deca_palette_grab_focus (GtkWidget *widget)
{
  return gtk_widget_grab_focus (GTK_WIDGET (DECA_PALETTE (widget)->search_entry));
}

static void
deca_palette_class_init (DecaPaletteClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->get_property = deca_palette_get_property;
  object_class->set_property = deca_palette_set_property;
  object_class->dispose = deca_palette_dispose;
  object_class->finalize = deca_palette_finalize;
  widget_class->grab_focus = deca_palette_grab_focus;

  properties[PROP_REGISTRY] =
    g_param_spec_object ("registry", NULL, NULL,
                         DECA_TYPE_NODE_REGISTRY,
                         G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS |
                         G_PARAM_EXPLICIT_NOTIFY);
  properties[PROP_SEARCH] =
    g_param_spec_string ("search", NULL, NULL,
                         "",
                         G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS |
                         G_PARAM_EXPLICIT_NOTIFY);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  /**
   * DecaPalette::type-activated:
   * @name: the name of the activated node type ("http")
   *
   * A row was activated (Enter, double-click) or Enter was pressed in the search
   * entry with at least one match: the window adds a node of that type.
   */
  signals[SIGNAL_TYPE_ACTIVATED] =
    g_signal_new ("type-activated", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0,
                  NULL, NULL, NULL, G_TYPE_NONE, 1,
                  G_TYPE_STRING | G_SIGNAL_TYPE_STATIC_SCOPE);

  g_type_ensure (ADW_TYPE_STATUS_PAGE);
  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/deca/Studio/ui/deca-palette.ui");
  gtk_widget_class_bind_template_child (widget_class, DecaPalette, search_entry);
  gtk_widget_class_bind_template_child (widget_class, DecaPalette, stack);
  gtk_widget_class_bind_template_child (widget_class, DecaPalette, list_box);
  gtk_widget_class_bind_template_child (widget_class, DecaPalette, empty_page);
  gtk_widget_class_bind_template_callback (widget_class, search_changed_cb);
  gtk_widget_class_bind_template_callback (widget_class, search_activate_cb);
  gtk_widget_class_bind_template_callback (widget_class, search_stop_cb);
  gtk_widget_class_bind_template_callback (widget_class, search_started_cb);
  gtk_widget_class_bind_template_callback (widget_class, search_key_pressed_cb);
  gtk_widget_class_bind_template_callback (widget_class, row_activated_cb);
  gtk_widget_class_bind_template_callback (widget_class, list_keynav_failed_cb);

  gtk_widget_class_install_action (widget_class, "palette.clear-search", NULL,
                                   clear_search_action);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Escape, 0,
                                       "palette.clear-search", NULL);

  gtk_widget_class_set_css_name (widget_class, "decapalette");
  gtk_widget_class_set_accessible_role (widget_class, GTK_ACCESSIBLE_ROLE_GROUP);
}

static void
deca_palette_init (DecaPalette *self)
{
  g_autoptr(GtkCustomSorter) sorter = NULL;
  GtkSortListModel *sort_model;

  gtk_widget_init_template (GTK_WIDGET (self));

  self->search = g_strdup ("");
  self->store = g_list_store_new (DECA_TYPE_NODE_TYPE);
  sorter = gtk_custom_sorter_new (compare_types, NULL, NULL);
  sort_model = gtk_sort_list_model_new (G_LIST_MODEL (g_object_ref (self->store)),
                                        GTK_SORTER (g_steal_pointer (&sorter)));
  self->filter = gtk_custom_filter_new (filter_func, self, NULL);
  self->filter_model = gtk_filter_list_model_new (G_LIST_MODEL (sort_model),
                                                  GTK_FILTER (g_object_ref (self->filter)));

  gtk_list_box_bind_model (self->list_box, G_LIST_MODEL (self->filter_model),
                           create_row_cb, self, NULL);
  gtk_list_box_set_header_func (self->list_box, update_header_cb, self, NULL);
  /* Typing while the list has the focus searches. */
  gtk_search_entry_set_key_capture_widget (self->search_entry, GTK_WIDGET (self));
  g_signal_connect_object (self->filter_model, "items-changed",
                           G_CALLBACK (update_empty_state), self, G_CONNECT_SWAPPED);
  update_empty_state (self);
}

GtkWidget *
deca_palette_new (DecaNodeRegistry *registry)
{
  g_return_val_if_fail (registry == NULL || DECA_IS_NODE_REGISTRY (registry), NULL);

  return g_object_new (DECA_TYPE_PALETTE, "registry", registry, NULL);
}

DecaNodeRegistry *
deca_palette_get_registry (DecaPalette *self)
{
  g_return_val_if_fail (DECA_IS_PALETTE (self), NULL);

  return self->registry;
}

void
deca_palette_set_registry (DecaPalette      *self,
                           DecaNodeRegistry *registry)
{
  g_autoptr(GPtrArray) types = NULL;
  gboolean changed;

  g_return_if_fail (DECA_IS_PALETTE (self));
  g_return_if_fail (registry == NULL || DECA_IS_NODE_REGISTRY (registry));

  /* The same registry again still relists: types may have been added to it. */
  changed = g_set_object (&self->registry, registry);
  if (registry != NULL)
    types = deca_node_registry_list (registry);
  g_list_store_splice (self->store, 0, g_list_model_get_n_items (G_LIST_MODEL (self->store)),
                       types != NULL ? types->pdata : NULL, types != NULL ? types->len : 0);
  if (changed)
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_REGISTRY]);
}

const char *
deca_palette_get_search (DecaPalette *self)
{
  g_return_val_if_fail (DECA_IS_PALETTE (self), NULL);

  return self->search;
}

void
deca_palette_set_search (DecaPalette *self,
                         const char  *text)
{
  g_return_if_fail (DECA_IS_PALETTE (self));

  if (text == NULL)
    text = "";
  if (g_strcmp0 (gtk_editable_get_text (GTK_EDITABLE (self->search_entry)), text) != 0)
    gtk_editable_set_text (GTK_EDITABLE (self->search_entry), text);
  apply_search (self, text);
}

void
deca_palette_focus_search (DecaPalette *self)
{
  g_return_if_fail (DECA_IS_PALETTE (self));

  gtk_widget_grab_focus (GTK_WIDGET (self->search_entry));
}

guint
deca_palette_get_n_matches (DecaPalette *self)
{
  g_return_val_if_fail (DECA_IS_PALETTE (self), 0);

  return g_list_model_get_n_items (G_LIST_MODEL (self->filter_model));
}
