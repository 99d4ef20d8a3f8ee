/* deca-preferences-window.c: the preferences, bound to GSettings. */

#include "config.h"

#include <glib/gi18n-lib.h>

#include "deca-preferences-window.h"

struct _DecaPreferencesWindow
{
  AdwPreferencesWindow parent_instance;

  /* template widgets */
  AdwComboRow   *color_scheme_row;
  GtkSwitch     *snap_switch;
  GtkSpinButton *grid_spin;
  GtkSwitch     *minimap_switch;
  GtkSpinButton *autosave_spin;

  /* owned */
  GSettings *settings;
};

G_DEFINE_FINAL_TYPE (DecaPreferencesWindow, deca_preferences_window,
                     ADW_TYPE_PREFERENCES_WINDOW)

/* The combo row's position is the enum's value (default, light, dark). */
static gboolean
scheme_to_position (GValue   *value,
                    GVariant *variant,
                    gpointer  user_data)
{
  const char *nick = g_variant_get_string (variant, NULL);

  g_value_set_uint (value, g_str_equal (nick, "light") ? 1 : g_str_equal (nick, "dark") ? 2 : 0);
  return TRUE;
}

static GVariant *
position_to_scheme (const GValue       *value,
                    const GVariantType *type,
                    gpointer            user_data)
{
  static const char *nicks[] = { "default", "light", "dark" };
  guint position = g_value_get_uint (value);

  return g_variant_new_string (nicks[position < G_N_ELEMENTS (nicks) ? position : 0]);
}

static void
deca_preferences_window_dispose (GObject *object)
{
  DecaPreferencesWindow *self = DECA_PREFERENCES_WINDOW (object);

  g_clear_object (&self->settings);
  gtk_widget_dispose_template (GTK_WIDGET (self), DECA_TYPE_PREFERENCES_WINDOW);
  G_OBJECT_CLASS (deca_preferences_window_parent_class)->dispose (object);
}

static void
deca_preferences_window_class_init (DecaPreferencesWindowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = deca_preferences_window_dispose;

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/deca/Studio/ui/deca-preferences-window.ui");
  gtk_widget_class_bind_template_child (widget_class, DecaPreferencesWindow, color_scheme_row);
  gtk_widget_class_bind_template_child (widget_class, DecaPreferencesWindow, snap_switch);
  gtk_widget_class_bind_template_child (widget_class, DecaPreferencesWindow, grid_spin);
  gtk_widget_class_bind_template_child (widget_class, DecaPreferencesWindow, minimap_switch);
  gtk_widget_class_bind_template_child (widget_class, DecaPreferencesWindow, autosave_spin);
}

static void
deca_preferences_window_init (DecaPreferencesWindow *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));

  self->settings = g_settings_new ("io.deca.Studio");
  g_settings_bind_with_mapping (self->settings, "color-scheme",
                                self->color_scheme_row, "selected", G_SETTINGS_BIND_DEFAULT,
                                scheme_to_position, position_to_scheme, NULL, NULL);
  g_settings_bind (self->settings, "snap-to-grid", self->snap_switch, "active",
                   G_SETTINGS_BIND_DEFAULT);
  g_settings_bind (self->settings, "grid-size",
                   gtk_spin_button_get_adjustment (self->grid_spin), "value",
                   G_SETTINGS_BIND_DEFAULT);
  g_settings_bind (self->settings, "show-minimap", self->minimap_switch, "active",
                   G_SETTINGS_BIND_DEFAULT);
  g_settings_bind (self->settings, "autosave-delay",
                   gtk_spin_button_get_adjustment (self->autosave_spin), "value",
                   G_SETTINGS_BIND_DEFAULT);
}

GtkWidget *
deca_preferences_window_new (GtkWindow *parent)
{
  return g_object_new (DECA_TYPE_PREFERENCES_WINDOW,
                       "transient-for", parent,
                       NULL);
}
