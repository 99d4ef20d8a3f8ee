/* test-accessibility.c: the studio as a screen reader sees it. The real deca-studio is
 * spawned with the example flow as its argument (so it imports and opens it), and its
 * accessible tree is read over AT-SPI with libatspi, the way Orca reads it: the canvas,
 * every node by name, a connection, and the names of the header bar's buttons.
 *
 * It needs a display and a session bus (xvfb-run ... dbus-run-session --). The AT-SPI
 * bus is started by D-Bus activation of org.a11y.Bus; when the session cannot activate
 * it, the test starts at-spi-bus-launcher itself. DECA_STUDIO_BIN names the studio
 * binary, DECA_SOURCE_DIR the source tree (for the example), GSETTINGS_SCHEMA_DIR the
 * compiled schema. */

#include <atspi/atspi.h>
#include <gio/gio.h>
#include <glib/gstdio.h>
#include <signal.h>
#include <sys/prctl.h>
#include "deca-test-fs.h"

/* Generous: the studio starts, imports and draws on a loaded machine. A safety net, not
 * a timing assertion. */
#define DEADLINE_US (90 * G_USEC_PER_SEC)
/* The studio's tree is deep (window, toast overlay, flaps, stacks, scrolled canvas). */
#define MAX_DEPTH 48

/* libatspi 2.46 declares no autoptr cleanup for its objects; newer ones do, so the name
 * here is one of this file's own. */
typedef AtspiAccessible Accessible;
G_DEFINE_AUTOPTR_CLEANUP_FUNC (Accessible, g_object_unref)

static const char *example_nodes[] = { "normalise", "is-large", "notify", "respond" };

typedef struct {
  char        *home;          /* the studio's temporary XDG_DATA_HOME */
  GSubprocess *studio;
  gboolean     studio_exited;
  GSubprocess *bus_launcher;  /* only when this test had to start the AT-SPI bus */
  AtspiAccessible *app;
} Session;

static Session session;

/* libatspi asks every application for its cache (GetItems on /org/a11y/atspi/cache);
 * GTK 4 does not implement that interface, and libatspi warns and reads the tree object
 * by object instead. That warning says nothing about the studio: it becomes a test
 * message and is not fatal. Any other warning of libatspi stays fatal. */
static gboolean
is_cache_warning (const char     *log_domain,
                  GLogLevelFlags  log_level,
                  const char     *message)
{
  return g_strcmp0 (log_domain, "dbind") == 0 && (log_level & G_LOG_LEVEL_WARNING)
         && strstr (message, "/org/a11y/atspi/cache") != NULL;
}

static gboolean
fatal_log_cb (const char     *log_domain,
              GLogLevelFlags  log_level,
              const char     *message,
              gpointer        user_data)
{
  return !is_cache_warning (log_domain, log_level, message);
}

static void
dbind_log_cb (const char     *log_domain,
              GLogLevelFlags  log_level,
              const char     *message,
              gpointer        user_data)
{
  if (is_cache_warning (log_domain, log_level, message))
    g_test_message ("libatspi: %s", message);
  else
    g_log_default_handler (log_domain, log_level, message, user_data);
}

static gboolean
tick_cb (gpointer data)
{
  *(gboolean *) data = TRUE;
  return G_SOURCE_REMOVE;
}

/* Lets the main context (libatspi's D-Bus events) run for a short moment between two
 * looks at the tree. */
static void
pause_between_polls (void)
{
  gboolean ticked = FALSE;

  g_timeout_add (100, tick_cb, &ticked);
  while (!ticked)
    g_main_context_iteration (NULL, TRUE);
}

/* TRUE when org.a11y.Bus answers GetAddress on the session bus (activating it when the
 * session has its service file). */
static gboolean
a11y_bus_answers (GDBusConnection *bus)
{
  g_autoptr(GVariant) reply = NULL;
  g_autoptr(GError) error = NULL;

  reply = g_dbus_connection_call_sync (bus, "org.a11y.Bus", "/org/a11y/bus", "org.a11y.Bus",
                                       "GetAddress", NULL, G_VARIANT_TYPE ("(s)"),
                                       G_DBUS_CALL_FLAGS_NONE, 10000, NULL, &error);
  if (reply == NULL)
    g_test_message ("org.a11y.Bus: %s", error->message);
  return reply != NULL;
}

/* Makes sure the AT-SPI bus runs; FALSE (with the test skipped) when it cannot. */
static gboolean
ensure_a11y_bus (void)
{
  g_autoptr(GDBusConnection) bus = NULL;
  g_autoptr(GError) error = NULL;
  gint64 deadline;

  if (g_getenv ("DBUS_SESSION_BUS_ADDRESS") == NULL)
    {
      g_test_skip ("no session bus: run under dbus-run-session");
      return FALSE;
    }
  bus = g_bus_get_sync (G_BUS_TYPE_SESSION, NULL, &error);
  if (bus == NULL)
    {
      g_autofree char *why = g_strdup_printf ("cannot reach the session bus: %s", error->message);
      g_test_skip (why);
      return FALSE;
    }
  if (a11y_bus_answers (bus))
    return TRUE;

  session.bus_launcher = g_subprocess_new (G_SUBPROCESS_FLAGS_NONE, &error,
                                           "/usr/libexec/at-spi-bus-launcher",
                                           "--launch-immediately", NULL);
  if (session.bus_launcher == NULL)
    {
      g_autofree char *why = g_strdup_printf ("cannot start at-spi-bus-launcher: %s",
                                              error->message);
      g_test_skip (why);
      return FALSE;
    }
  deadline = g_get_monotonic_time () + DEADLINE_US;
  while (!a11y_bus_answers (bus))
    {
      if (g_get_monotonic_time () > deadline)
        g_error ("at-spi-bus-launcher did not come up on the session bus");
      pause_between_polls ();
    }
  return TRUE;
}

/* ---- the accessible tree ---------------------------------------------------------------- */

typedef gboolean (*Predicate) (AtspiAccessible *accessible,
                               const char      *name,
                               AtspiRole        role,
                               gconstpointer    data);

/* Appends to @found (transfer full) every accessible under @root, @root included, down to
 * @depth levels, for which @predicate holds. Objects that vanish while being read (the
 * tree changes under the walk) are skipped. */
static void
find_all (AtspiAccessible *root,
          Predicate        predicate,
          gconstpointer    data,
          guint            depth,
          GPtrArray       *found)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *name = atspi_accessible_get_name (root, &error);
  AtspiRole role;
  int n_children;

  if (name == NULL)
    return;
  role = atspi_accessible_get_role (root, NULL);
  if (predicate (root, name, role, data))
    g_ptr_array_add (found, g_object_ref (root));
  if (depth == 0)
    return;

  n_children = atspi_accessible_get_child_count (root, NULL);
  for (int i = 0; i < n_children; i++)
    {
      g_autoptr(Accessible) child = atspi_accessible_get_child_at_index (root, i, NULL);

      if (child)
        find_all (child, predicate, data, depth - 1, found);
    }
}

/* Returns (transfer full) (nullable) the first accessible under @root for @predicate. */
static AtspiAccessible *
find_first (AtspiAccessible *root,
            Predicate        predicate,
            gconstpointer    data)
{
  g_autoptr(GPtrArray) found = g_ptr_array_new_with_free_func (g_object_unref);

  find_all (root, predicate, data, MAX_DEPTH, found);
  return found->len > 0 ? g_object_ref (g_ptr_array_index (found, 0)) : NULL;
}

/* Polls until find_first (@root, @predicate, @data) finds something; NULL at the
 * deadline. The studio fills its tree as it imports and draws, so the first looks may
 * come too early. */
static AtspiAccessible *
wait_for (AtspiAccessible *root,
          Predicate        predicate,
          gconstpointer    data)
{
  gint64 deadline = g_get_monotonic_time () + DEADLINE_US;

  for (;;)
    {
      AtspiAccessible *found;

      /* Read the live tree, not libatspi's cache of an earlier look. */
      atspi_accessible_clear_cache (root);
      found = find_first (root, predicate, data);
      if (found || g_get_monotonic_time () > deadline)
        return found;
      pause_between_polls ();
    }
}

static gboolean
name_is (AtspiAccessible *accessible,
         const char      *name,
         AtspiRole        role,
         gconstpointer    data)
{
  return g_strcmp0 (name, data) == 0;
}

static gboolean
name_starts_with (AtspiAccessible *accessible,
                  const char      *name,
                  AtspiRole        role,
                  gconstpointer    data)
{
  return g_str_has_prefix (name, data);
}

/* @data is a NULL-terminated array of words that must all be in the name. */
static gboolean
name_mentions_all (AtspiAccessible *accessible,
                   const char      *name,
                   AtspiRole        role,
                   gconstpointer    data)
{
  const char * const *words = data;

  for (guint i = 0; words[i]; i++)
    if (strstr (name, words[i]) == NULL)
      return FALSE;
  return TRUE;
}

/* Roles a person can press: what a node, a connection and a header button should be. */
static gboolean
role_is_pressable (AtspiRole role)
{
  return role == ATSPI_ROLE_PUSH_BUTTON || role == ATSPI_ROLE_TOGGLE_BUTTON
         || role == ATSPI_ROLE_PUSH_BUTTON_MENU;
}

static gboolean
button_named (AtspiAccessible *accessible,
              const char      *name,
              AtspiRole        role,
              gconstpointer    data)
{
  return role_is_pressable (role) && name_is (accessible, name, role, data);
}

static gboolean
button_name_starts_with (AtspiAccessible *accessible,
                         const char      *name,
                         AtspiRole        role,
                         gconstpointer    data)
{
  return role_is_pressable (role) && name_starts_with (accessible, name, role, data);
}

static char *
describe (AtspiAccessible *accessible)
{
  g_autofree char *name = atspi_accessible_get_name (accessible, NULL);
  g_autofree char *role = atspi_accessible_get_role_name (accessible, NULL);

  /* ASCII quotes: test messages are converted to the locale's charset. */
  return g_strdup_printf ("\"%s\" (%s)", name ? name : "?", role ? role : "?");
}

/* TRUE when @descendant is @ancestor or lies under it. */
static gboolean
is_inside (AtspiAccessible *descendant,
           AtspiAccessible *ancestor)
{
  g_autoptr(Accessible) current = g_object_ref (descendant);

  for (guint depth = 0; current && depth <= MAX_DEPTH; depth++)
    {
      AtspiAccessible *parent;

      if (current == ancestor)
        return TRUE;
      parent = atspi_accessible_get_parent (current, NULL);
      g_object_unref (current);
      current = parent;
    }
  return FALSE;
}

/* ---- the studio --------------------------------------------------------------------------- */

/* A test that fails aborts; the studio must not outlive it (and hold the test's output
 * pipes open, which would keep the test runner waiting). */
static void
die_with_parent (gpointer data)
{
  prctl (PR_SET_PDEATHSIG, SIGKILL);
}

static void
studio_exited_cb (GObject      *source,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  session.studio_exited = TRUE;
}

static void
spawn_studio (void)
{
  g_autoptr(GSubprocessLauncher) launcher = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *example = NULL;
  g_autofree char *db_path = NULL;
  g_auto(GStrv) env = g_get_environ ();
  const char *bin = g_getenv ("DECA_STUDIO_BIN");
  const char *source_dir = g_getenv ("DECA_SOURCE_DIR");

  g_assert_nonnull (bin);
  g_assert_nonnull (source_dir);
  example = g_build_filename (source_dir, "data", "examples", "order-webhook.json", NULL);
  session.home = g_dir_make_tmp ("deca-test-a11y-XXXXXX", &error);
  g_assert_no_error (error);
  db_path = g_build_filename (session.home, "deca.db", NULL);

  env = g_environ_setenv (env, "XDG_DATA_HOME", session.home, TRUE);
  env = g_environ_setenv (env, "GSETTINGS_BACKEND", "memory", TRUE);
  env = g_environ_setenv (env, "GTK_A11Y", "atspi", TRUE);
  env = g_environ_unsetenv (env, "NO_AT_BRIDGE");

  launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_NONE);
  g_subprocess_launcher_set_environ (launcher, env);
  g_subprocess_launcher_set_child_setup (launcher, die_with_parent, NULL, NULL);
  /* A store of its own also makes it an instance of its own (--db is non-unique), so a
   * studio already on this bus does not take the file instead. */
  session.studio = g_subprocess_launcher_spawn (launcher, &error, bin, "--db", db_path,
                                                example, NULL);
  g_assert_no_error (error);
  g_subprocess_wait_async (session.studio, NULL, studio_exited_cb, NULL);
}

static gboolean
is_studio_app (AtspiAccessible *app)
{
  const char *identifier = g_subprocess_get_identifier (session.studio);
  g_autofree char *name = atspi_accessible_get_name (app, NULL);
  guint pid = atspi_accessible_get_process_id (app, NULL);

  return (identifier && pid == (guint) g_ascii_strtoull (identifier, NULL, 10))
         || g_strcmp0 (name, "deca-studio") == 0;
}

/* Returns (transfer none) the studio's application on the AT-SPI desktop, spawning the
 * studio the first time; NULL when the test was skipped. */
static AtspiAccessible *
studio_app (void)
{
  gint64 deadline;

  /* GLib resets the fatal handler before every test case. */
  g_test_log_set_fatal_handler (fatal_log_cb, NULL);
  if (session.app)
    return session.app;
  if (g_getenv ("DISPLAY") == NULL && g_getenv ("WAYLAND_DISPLAY") == NULL)
    {
      g_test_skip ("no display: run under xvfb-run");
      return NULL;
    }
  if (!ensure_a11y_bus ())
    return NULL;
  if (atspi_init () > 1)
    g_error ("cannot initialise libatspi");
  spawn_studio ();

  deadline = g_get_monotonic_time () + DEADLINE_US;
  while (session.app == NULL)
    {
      g_autoptr(Accessible) desktop = atspi_get_desktop (0);
      int n;

      g_assert_nonnull (desktop);
      atspi_accessible_clear_cache (desktop);
      n = atspi_accessible_get_child_count (desktop, NULL);
      for (int i = 0; i < n && session.app == NULL; i++)
        {
          g_autoptr(Accessible) app = atspi_accessible_get_child_at_index (desktop, i, NULL);

          if (app && is_studio_app (app))
            session.app = g_steal_pointer (&app);
        }
      if (session.app == NULL)
        {
          if (g_get_monotonic_time () > deadline)
            g_error ("deca-studio never appeared on the AT-SPI desktop");
          if (session.studio_exited)
            g_error ("deca-studio exited before it appeared on the AT-SPI desktop");
          pause_between_polls ();
        }
    }
  /* The studio's tree changes while it opens the flow: ask it, not a cache. */
  atspi_accessible_set_cache_mask (session.app, ATSPI_CACHE_NONE);
  return session.app;
}

static AtspiAccessible *
wait_for_canvas (AtspiAccessible *app)
{
  AtspiAccessible *canvas = wait_for (app, name_is, "Flow canvas");

  if (canvas == NULL)
    g_error ("no accessible named \"Flow canvas\" in the studio");
  return canvas;
}

/* ---- tests ---------------------------------------------------------------------------------- */

static void
test_canvas (void)
{
  AtspiAccessible *app = studio_app ();
  g_autoptr(Accessible) canvas = NULL;

  if (app == NULL)
    return;
  canvas = wait_for_canvas (app);
  g_assert_nonnull (canvas);
}

static void
test_nodes (void)
{
  AtspiAccessible *app = studio_app ();
  g_autoptr(Accessible) canvas = NULL;

  if (app == NULL)
    return;
  canvas = wait_for_canvas (app);

  for (guint i = 0; i < G_N_ELEMENTS (example_nodes); i++)
    {
      /* "<node id>, <type title>[, N problems]": the id first, then a comma, so that
       * "is-large" does not stand for a node "is-large-2". */
      g_autofree char *prefix = g_strdup_printf ("%s, ", example_nodes[i]);
      g_autoptr(Accessible) node = wait_for (canvas, button_name_starts_with, prefix);
      g_autofree char *what = NULL;

      if (node == NULL)
        {
          g_autoptr(Accessible) other = find_first (canvas, name_starts_with, prefix);
          g_autofree char *other_what = other ? describe (other) : g_strdup ("nothing");

          g_error ("the canvas has no button whose name starts with \"%s\" (found %s)",
                   prefix, other_what);
        }
      what = describe (node);
      g_test_message ("node %s: %s", example_nodes[i], what);
    }
}

static void
test_connection (void)
{
  AtspiAccessible *app = studio_app ();
  g_autoptr(Accessible) canvas = NULL;
  g_autoptr(Accessible) connection = NULL;
  g_autofree char *what = NULL;
  g_autofree char *name = NULL;
  const char *words[] = { "is-large", "notify", NULL };

  if (app == NULL)
    return;
  canvas = wait_for_canvas (app);
  connection = wait_for (canvas, name_mentions_all, words);
  if (connection == NULL)
    g_error ("the canvas has no accessible whose name mentions \"is-large\" and \"notify\"");
  what = describe (connection);
  g_test_message ("connection: %s", what);
  /* Neither node's own name ("is-large, Condition") is taken for the connection. */
  name = atspi_accessible_get_name (connection, NULL);
  g_assert_false (g_str_has_prefix (name, "is-large, "));
  g_assert_false (g_str_has_prefix (name, "notify, "));
  g_assert_true (is_inside (connection, canvas));
}

static void
test_header_buttons (void)
{
  AtspiAccessible *app = studio_app ();
  static const char *names[] = { "New flow", "Undo", "Redo", "Main menu" };

  if (app == NULL)
    return;
  for (guint i = 0; i < G_N_ELEMENTS (names); i++)
    {
      g_autoptr(Accessible) button = wait_for (app, button_named, names[i]);
      g_autofree char *what = NULL;

      if (button == NULL)
        {
          g_autoptr(Accessible) other = find_first (app, name_is, names[i]);
          g_autofree char *other_what = other ? describe (other) : g_strdup ("nothing");

          g_error ("the studio has no button named \"%s\" (found %s)", names[i], other_what);
        }
      what = describe (button);
      g_test_message ("header: %s", what);
    }
}

int
main (int   argc,
      char *argv[])
{
  int status;

  g_test_init (&argc, &argv, NULL);
  g_log_set_handler ("dbind", G_LOG_LEVEL_MASK | G_LOG_FLAG_FATAL, dbind_log_cb, NULL);

  g_test_add_func ("/deca/app/accessibility/canvas", test_canvas);
  g_test_add_func ("/deca/app/accessibility/nodes", test_nodes);
  g_test_add_func ("/deca/app/accessibility/connection", test_connection);
  g_test_add_func ("/deca/app/accessibility/header-buttons", test_header_buttons);
  status = g_test_run ();

  g_clear_object (&session.app);
  if (session.studio)
    {
      g_subprocess_force_exit (session.studio);
      g_subprocess_wait (session.studio, NULL, NULL);
      g_clear_object (&session.studio);
    }
  if (session.bus_launcher)
    {
      g_subprocess_send_signal (session.bus_launcher, SIGTERM);
      g_subprocess_wait (session.bus_launcher, NULL, NULL);
      g_clear_object (&session.bus_launcher);
    }
  if (session.home)
    deca_test_remove_tree (session.home);
  g_free (session.home);
  atspi_exit ();
  return status;
}
