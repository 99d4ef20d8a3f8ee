/* deca-application.c: the studio's AdwApplication: shared state, app actions, the
 * command line, and the colour scheme. */

#include "config.h"

#include <glib/gi18n.h>
#include <glib/gstdio.h>

#include "deca-application.h"
#include "deca-engine.h"
#include "deca-preferences-window.h"
#include "deca-ui.h"
#include "deca-window.h"

struct _DecaApplication
{
  AdwApplication parent_instance;

  DecaNodeRegistry *registry;
  DecaStoreWorker  *worker;
  GSettings        *settings;
  char             *db_path;
  gboolean          reported_first_frame;
};

G_DEFINE_FINAL_TYPE (DecaApplication, deca_application, ADW_TYPE_APPLICATION)

/* ---- benchmarks' hooks ------------------------------------------------------------- */

/* With DECA_STUDIO_REPORT set, the studio prints on stdout when main() starts, when GTK
 * is up, when the window exists, when its first frame is drawn and when a flow is on
 * screen, with the monotonic clock (µs): tests/bench/bench-studio.c measures start-up and
 * memory with these. */
static gboolean
report_enabled (void)
{
  return g_getenv ("DECA_STUDIO_REPORT") != NULL;
}

/* Marks a step of the start-up ("gtk-started", "window"), for finding where time goes. */
static void
report_step (const char *step)
{
  if (report_enabled ())
    g_print ("DECA_REPORT %s %" G_GINT64_FORMAT "\n", step, g_get_monotonic_time ());
}

static void
first_frame_cb (GdkFrameClock   *clock,
                DecaApplication *self)
{
  if (!self->reported_first_frame)
    {
      self->reported_first_frame = TRUE;
      g_print ("DECA_REPORT first-frame %" G_GINT64_FORMAT "\n", g_get_monotonic_time ());
    }
  g_signal_handlers_disconnect_by_func (clock, first_frame_cb, self);
}

static void
flow_painted_cb (GdkFrameClock *clock,
                 DecaWindow    *window)
{
  g_print ("DECA_REPORT flow-shown %" G_GINT64_FORMAT " %s\n", g_get_monotonic_time (),
           deca_window_get_flow_id (window));
  g_signal_handlers_disconnect_by_func (clock, flow_painted_cb, window);
}

static void
flow_opened_cb (DecaWindow *window,
                const char *flow_id)
{
  GdkFrameClock *clock = gtk_widget_get_frame_clock (GTK_WIDGET (window));

  if (clock == NULL)
    return;
  g_signal_connect_object (clock, "after-paint", G_CALLBACK (flow_painted_cb), window, 0);
  gtk_widget_queue_draw (GTK_WIDGET (window));
}

static void
window_realized_cb (GtkWidget       *window,
                    DecaApplication *self)
{
  GdkFrameClock *clock = gtk_widget_get_frame_clock (window);

  g_signal_connect (clock, "after-paint", G_CALLBACK (first_frame_cb), self);
}

/* ---- windows ------------------------------------------------------------------------ */

static DecaWindow *
create_window (DecaApplication *self)
{
  DecaWindow *window = deca_window_new (GTK_APPLICATION (self), self->registry, self->worker);

  if (report_enabled ())
    {
      g_signal_connect (window, "realize", G_CALLBACK (window_realized_cb), self);
      g_signal_connect (window, "flow-opened", G_CALLBACK (flow_opened_cb), NULL);
    }
  return window;
}

static void
deca_application_activate (GApplication *application)
{
  DecaApplication *self = DECA_APPLICATION (application);
  GtkWindow *window = gtk_application_get_active_window (GTK_APPLICATION (self));

  if (window == NULL)
    {
      window = GTK_WINDOW (create_window (self));
      report_step ("window");
      deca_window_open_initial (DECA_WINDOW (window));
    }
  gtk_window_present (window);
}

/* Files given on the command line (or opened from a file manager) are imported. */
static void
deca_application_open (GApplication  *application,
                       GFile        **files,
                       int            n_files,
                       const char    *hint)
{
  DecaApplication *self = DECA_APPLICATION (application);
  GtkWindow *window = gtk_application_get_active_window (GTK_APPLICATION (self));

  if (window == NULL)
    window = GTK_WINDOW (create_window (self));
  for (int i = 0; i < n_files; i++)
    deca_window_import_file (DECA_WINDOW (window), files[i]);
  gtk_window_present (window);
}

/* ---- app actions ------------------------------------------------------------------- */

static void
new_window_action (GSimpleAction *action,
                   GVariant      *parameter,
                   gpointer       user_data)
{
  DecaApplication *self = user_data;
  DecaWindow *window = create_window (self);

  deca_window_new_flow (window);
  gtk_window_present (GTK_WINDOW (window));
}

static void
preferences_action (GSimpleAction *action,
                    GVariant      *parameter,
                    gpointer       user_data)
{
  DecaApplication *self = user_data;
  GtkWindow *parent = gtk_application_get_active_window (GTK_APPLICATION (self));
  GtkWidget *preferences = deca_preferences_window_new (parent);

  gtk_window_present (GTK_WINDOW (preferences));
}

static void
about_action (GSimpleAction *action,
              GVariant      *parameter,
              gpointer       user_data)
{
  DecaApplication *self = user_data;
  GtkWindow *parent = gtk_application_get_active_window (GTK_APPLICATION (self));
  const char *developers[] = { _("The Deca Studio developers"), NULL };
  GtkWidget *about;

  about = g_object_new (ADW_TYPE_ABOUT_WINDOW,
                        "transient-for", parent,
                        "modal", TRUE,
                        "application-icon", "io.deca.Studio",
                        "application-name", _("Deca Studio"),
                        "developer-name", _("The Deca Studio developers"),
                        "version", PACKAGE_VERSION,
                        "comments", _("Design AI workflows on a canvas, run and debug them "
                                      "on your own machine, and run the same flows in the "
                                      "cloud."),
                        "website", "https://deca.studio",
                        "issue-url", "https://deca.studio/issues",
                        "license-type", GTK_LICENSE_GPL_3_0,
                        "copyright", "© 2026 The Deca Studio developers",
                        "developers", developers,
                        /* Translators: put your names here, one per line. */
                        "translator-credits", _("translator-credits"),
                        NULL);
  gtk_window_present (GTK_WINDOW (about));
}

static void
quit_action (GSimpleAction *action,
             GVariant      *parameter,
             gpointer       user_data)
{
  DecaApplication *self = user_data;
  GList *windows = g_list_copy (gtk_application_get_windows (GTK_APPLICATION (self)));

  /* Closing each window queues its unsaved edits; shutdown waits for the worker. */
  for (GList *l = windows; l != NULL; l = l->next)
    gtk_window_close (l->data);
  g_list_free (windows);
  g_application_quit (G_APPLICATION (self));
}

static const GActionEntry app_actions[] = {
  { "new-window", new_window_action },
  { "preferences", preferences_action },
  { "about", about_action },
  { "quit", quit_action },
};

/* ---- colour scheme ------------------------------------------------------------------- */

static void
color_scheme_changed_cb (DecaApplication *self)
{
  static const AdwColorScheme schemes[] = {
    ADW_COLOR_SCHEME_DEFAULT, ADW_COLOR_SCHEME_FORCE_LIGHT, ADW_COLOR_SCHEME_FORCE_DARK,
  };
  int value = g_settings_get_enum (self->settings, "color-scheme");

  if (value < 0 || value >= (int) G_N_ELEMENTS (schemes))
    value = 0;
  adw_style_manager_set_color_scheme (adw_style_manager_get_default (), schemes[value]);
}

/* ---- lifecycle --------------------------------------------------------------------- */

static void
deca_application_startup (GApplication *application)
{
  DecaApplication *self = DECA_APPLICATION (application);
  static const char *new_window_accels[] = { "<Control><Shift>n", NULL };
  static const char *preferences_accels[] = { "<Control>comma", NULL };
  static const char *quit_accels[] = { "<Control>q", NULL };
  static const char *close_accels[] = { "<Control>w", NULL };
  g_autofree char *dir = NULL;

  G_APPLICATION_CLASS (deca_application_parent_class)->startup (application);
  report_step ("gtk-started");

  deca_ui_init ();
  g_set_application_name (_("Deca Studio"));
  gtk_window_set_default_icon_name ("io.deca.Studio");

  self->settings = g_settings_new ("io.deca.Studio");
  g_signal_connect_swapped (self->settings, "changed::color-scheme",
                            G_CALLBACK (color_scheme_changed_cb), self);
  color_scheme_changed_cb (self);

  self->registry = deca_node_registry_new_builtin ();
  if (self->db_path == NULL)
    {
      dir = g_build_filename (g_get_user_data_dir (), "deca-studio", NULL);
      g_mkdir_with_parents (dir, 0700);
      self->db_path = g_build_filename (dir, "deca.db", NULL);
    }
  self->worker = deca_store_worker_new (self->db_path);

  g_action_map_add_action_entries (G_ACTION_MAP (self), app_actions,
                                   G_N_ELEMENTS (app_actions), self);
  gtk_application_set_accels_for_action (GTK_APPLICATION (self), "app.new-window", new_window_accels);
  gtk_application_set_accels_for_action (GTK_APPLICATION (self), "app.preferences", preferences_accels);
  gtk_application_set_accels_for_action (GTK_APPLICATION (self), "app.quit", quit_accels);
  gtk_application_set_accels_for_action (GTK_APPLICATION (self), "window.close", close_accels);
}

static void
deca_application_shutdown (GApplication *application)
{
  DecaApplication *self = DECA_APPLICATION (application);

  /* Every queued save runs before the process ends. Each queued job's GTask holds the
   * worker, so it is only finalized once their callbacks have run: flush explicitly. */
  if (self->worker)
    deca_store_worker_flush (self->worker);
  g_clear_object (&self->worker);
  g_clear_object (&self->registry);
  g_clear_object (&self->settings);
  G_APPLICATION_CLASS (deca_application_parent_class)->shutdown (application);
}

static int
deca_application_handle_local_options (GApplication *application,
                                       GVariantDict *options)
{
  DecaApplication *self = DECA_APPLICATION (application);
  const char *db = NULL;

  if (g_variant_dict_contains (options, "version"))
    {
      g_print ("deca-studio %s\n", PACKAGE_VERSION);
      return 0;
    }
  if (g_variant_dict_lookup (options, "db", "^&ay", &db))
    {
      if (*db == '\0')
        {
          g_printerr (_("deca-studio: --db needs a file name\n"));
          return 2;
        }
      g_free (self->db_path);
      self->db_path = g_strdup (db);
      /* Another store means another instance: do not hand over to a running one. */
      g_application_set_flags (application,
                               g_application_get_flags (application) | G_APPLICATION_NON_UNIQUE);
    }
  return -1;
}

static void
deca_application_finalize (GObject *object)
{
  DecaApplication *self = DECA_APPLICATION (object);

  g_free (self->db_path);
  G_OBJECT_CLASS (deca_application_parent_class)->finalize (object);
}

static void
deca_application_class_init (DecaApplicationClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GApplicationClass *app_class = G_APPLICATION_CLASS (klass);

  object_class->finalize = deca_application_finalize;
  app_class->startup = deca_application_startup;
  app_class->shutdown = deca_application_shutdown;
  app_class->activate = deca_application_activate;
  app_class->open = deca_application_open;
  app_class->handle_local_options = deca_application_handle_local_options;
}

static void
deca_application_init (DecaApplication *self)
{
  static const GOptionEntry entries[] = {
    { "version", 0, 0, G_OPTION_ARG_NONE, NULL, N_("Print the version and exit"), NULL },
    { "db", 0, 0, G_OPTION_ARG_FILENAME, NULL,
      N_("Use the store at FILE instead of the default one"), N_("FILE") },
    { NULL }
  };

  g_application_add_main_option_entries (G_APPLICATION (self), entries);
}

DecaApplication *
deca_application_new (void)
{
  return g_object_new (DECA_TYPE_APPLICATION,
                       "application-id", "io.deca.Studio",
                       "flags", G_APPLICATION_HANDLES_OPEN,
                       "resource-base-path", "/io/deca/Studio",
                       NULL);
}
