/* test-flatpak-manifest.c: the Flatpak manifest, checked offline as far as it can be
 * without flatpak-builder and the GNOME runtime: the keys flatpak-builder requires, the
 * modules and their sources, the sandbox permissions, and that the manifest's ids and
 * command agree with what the meson project builds and installs (the desktop file, the
 * AppStream metainfo, the settings schema, the icons, the executable). */

#include <json-glib/json-glib.h>
#include <string.h>

/* The files under test, from tests/data/meson.build. */
static const char *manifest_path;
static const char *desktop_path;
static const char *metainfo_path;
static const char *schema_path;
static const char *installed_path;
static const char *source_dir;

static JsonObject *manifest;

static const char *
env_path (const char *name)
{
  const char *value = g_getenv (name);

  if (value == NULL || *value == '\0')
    g_error ("%s is not set; run this test with meson test", name);
  return value;
}

static JsonNode *
load_json (const char *path)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) error = NULL;

  if (!json_parser_load_from_file (parser, path, &error))
    g_error ("%s is not valid JSON: %s", path, error->message);
  return json_node_copy (json_parser_get_root (parser));
}

/* Returns the string member @name of @object, failing the test with the member's name when
 * it is missing or not a string. */
static const char *
require_string (JsonObject *object,
                const char *where,
                const char *name)
{
  JsonNode *node = json_object_get_member (object, name);

  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node)
      || json_node_get_value_type (node) != G_TYPE_STRING)
    g_error ("%s: \"%s\" must be a string", where, name);
  g_assert_cmpstr (json_node_get_string (node), !=, "");
  return json_node_get_string (node);
}

static JsonArray *
require_array (JsonObject *object,
               const char *where,
               const char *name)
{
  JsonNode *node = json_object_get_member (object, name);

  if (node == NULL || !JSON_NODE_HOLDS_ARRAY (node))
    g_error ("%s: \"%s\" must be an array", where, name);
  return json_node_get_array (node);
}

static const char *
app_id (void)
{
  const char *id = NULL;

  /* flatpak-builder takes either spelling; one of them, not both. */
  g_assert_true (json_object_has_member (manifest, "app-id")
                 != json_object_has_member (manifest, "id"));
  id = json_object_has_member (manifest, "app-id")
         ? require_string (manifest, "manifest", "app-id")
         : require_string (manifest, "manifest", "id");
  return id;
}

static void
test_manifest_keys (void)
{
  const char *version;
  char *end = NULL;
  guint64 major;

  g_assert_cmpstr (app_id (), ==, "io.deca.Studio");
  g_assert_true (g_application_id_is_valid (app_id ()));
  g_assert_cmpstr (require_string (manifest, "manifest", "runtime"), ==, "org.gnome.Platform");
  g_assert_cmpstr (require_string (manifest, "manifest", "sdk"), ==, "org.gnome.Sdk");
  g_assert_cmpstr (require_string (manifest, "manifest", "command"), ==, "deca-studio");

  /* The studio needs GTK 4.8 and libadwaita 1.2, which GNOME 43 was the first to ship. */
  version = require_string (manifest, "manifest", "runtime-version");
  major = g_ascii_strtoull (version, &end, 10);
  g_assert_true (end != version && *end == '\0');
  g_assert_cmpuint (major, >=, 43);

  g_assert_cmpuint (json_array_get_length (require_array (manifest, "manifest", "modules")), >, 0);
}

static gboolean
is_sha256 (const char *text)
{
  if (strlen (text) != 64)
    return FALSE;
  for (const char *p = text; *p; p++)
    if (!g_ascii_isxdigit (*p) || g_ascii_isupper (*p))
      return FALSE;
  return TRUE;
}

/* Checks one source of @module against what flatpak-builder needs of its type. */
static void
check_source (const char *module,
              JsonObject *source)
{
  g_autofree char *where = g_strdup_printf ("module %s, source", module);
  const char *type = require_string (source, where, "type");

  if (g_str_equal (type, "archive") || g_str_equal (type, "file"))
    {
      const char *url = require_string (source, where, "url");

      g_assert_true (g_str_has_prefix (url, "https://"));
      if (!is_sha256 (require_string (source, where, "sha256")))
        g_error ("%s: sha256 is not 64 lower-case hexadecimal digits", where);
    }
  else if (g_str_equal (type, "git"))
    {
      g_assert_true (g_str_has_prefix (require_string (source, where, "url"), "https://"));
      g_assert_true (json_object_has_member (source, "commit")
                     || json_object_has_member (source, "tag")
                     || json_object_has_member (source, "branch"));
    }
  else if (g_str_equal (type, "dir"))
    {
      g_autofree char *manifest_dir = g_path_get_dirname (manifest_path);
      g_autofree char *dir = g_build_filename (manifest_dir,
                                               require_string (source, where, "path"), NULL);

      if (!g_file_test (dir, G_FILE_TEST_IS_DIR))
        g_error ("%s: %s is not a directory", where, dir);
    }
  else if (!g_str_equal (type, "patch") && !g_str_equal (type, "script")
           && !g_str_equal (type, "shell") && !g_str_equal (type, "inline")
           && !g_str_equal (type, "extra-data") && !g_str_equal (type, "bzr")
           && !g_str_equal (type, "svn"))
    g_error ("%s: unknown source type \"%s\"", where, type);
}

static void
test_manifest_modules (void)
{
  static const char * const buildsystems[] = {
    "autotools", "cmake", "cmake-ninja", "meson", "qmake", "simple", NULL
  };
  JsonArray *modules = require_array (manifest, "manifest", "modules");
  g_autoptr(GHashTable) names = g_hash_table_new (g_str_hash, g_str_equal);
  guint n = json_array_get_length (modules);

  for (guint i = 0; i < n; i++)
    {
      JsonNode *node = json_array_get_element (modules, i);
      JsonObject *module;
      const char *name;
      JsonArray *sources;

      /* A string names a module file beside the manifest. */
      if (JSON_NODE_HOLDS_VALUE (node) && json_node_get_value_type (node) == G_TYPE_STRING)
        {
          g_autofree char *dir = g_path_get_dirname (manifest_path);
          g_autofree char *path = g_build_filename (dir, json_node_get_string (node), NULL);

          g_assert_true (g_file_test (path, G_FILE_TEST_IS_REGULAR));
          continue;
        }
      g_assert_true (JSON_NODE_HOLDS_OBJECT (node));
      module = json_node_get_object (node);
      name = require_string (module, "module", "name");
      g_assert_false (g_hash_table_contains (names, name));
      g_hash_table_add (names, (gpointer) name);
      if (!g_strv_contains (buildsystems, require_string (module, name, "buildsystem")))
        g_error ("module %s: unknown buildsystem", name);
      sources = require_array (module, name, "sources");
      g_assert_cmpuint (json_array_get_length (sources), >, 0);
      for (guint j = 0; j < json_array_get_length (sources); j++)
        check_source (name, json_array_get_object_element (sources, j));
    }
}

/* The -D options of @module's config-opts exist in meson_options.txt, so that renaming an
 * option cannot silently break the Flatpak build. */
static void
check_meson_options (JsonObject *module)
{
  g_autofree char *options_path = g_build_filename (source_dir, "meson_options.txt", NULL);
  g_autofree char *options = NULL;
  JsonArray *opts = require_array (module, "deca-studio", "config-opts");

  g_assert_true (g_file_get_contents (options_path, &options, NULL, NULL));
  for (guint i = 0; i < json_array_get_length (opts); i++)
    {
      const char *opt = json_array_get_string_element (opts, i);
      g_autofree char *name = NULL;
      g_autofree char *declaration = NULL;
      const char *eq;

      g_assert_nonnull (opt);
      if (!g_str_has_prefix (opt, "-D"))
        {
          g_assert_true (g_str_has_prefix (opt, "--buildtype="));
          continue;
        }
      eq = strchr (opt, '=');
      g_assert_nonnull (eq);
      name = g_strndup (opt + 2, eq - opt - 2);
      declaration = g_strdup_printf ("option('%s'", name);
      if (strstr (options, declaration) == NULL)
        g_error ("config-opts: %s is not an option of meson_options.txt", name);
    }
}

static void
test_manifest_app_module (void)
{
  JsonArray *modules = require_array (manifest, "manifest", "modules");
  JsonObject *app = json_array_get_object_element (modules, json_array_get_length (modules) - 1);
  JsonArray *sources, *opts;
  g_autofree char *manifest_dir = g_path_get_dirname (manifest_path);
  gboolean fuzzers_off = FALSE, has_dir = FALSE;

  /* The studio is the last module: everything before it is a dependency. */
  g_assert_cmpstr (require_string (app, "module", "name"), ==, "deca-studio");
  g_assert_cmpstr (require_string (app, "deca-studio", "buildsystem"), ==, "meson");
  opts = require_array (app, "deca-studio", "config-opts");
  for (guint i = 0; i < json_array_get_length (opts); i++)
    if (g_strcmp0 (json_array_get_string_element (opts, i), "-Dfuzzers=false") == 0)
      fuzzers_off = TRUE;
  g_assert_true (fuzzers_off);
  check_meson_options (app);

  /* Built from this checkout: the dir source is the project's top directory. */
  sources = require_array (app, "deca-studio", "sources");
  for (guint i = 0; i < json_array_get_length (sources); i++)
    {
      JsonObject *source = json_array_get_object_element (sources, i);
      g_autofree char *dir = NULL, *meson_build = NULL, *text = NULL;

      if (g_strcmp0 (json_object_get_string_member (source, "type"), "dir") != 0)
        continue;
      has_dir = TRUE;
      dir = g_build_filename (manifest_dir, json_object_get_string_member (source, "path"), NULL);
      meson_build = g_build_filename (dir, "meson.build", NULL);
      g_assert_true (g_file_get_contents (meson_build, &text, NULL, NULL));
      g_assert_true (g_str_has_prefix (text, "project('deca-studio'"));
    }
  g_assert_true (has_dir);
}

/* The command is an executable the meson project installs into bindir. */
static void
test_manifest_command_installed (void)
{
  g_autoptr(JsonNode) installed = load_json (installed_path);
  const char *command = require_string (manifest, "manifest", "command");
  g_autofree char *suffix = g_strdup_printf ("/bin/%s", command);
  g_autoptr(GList) members = NULL;
  gboolean found = FALSE;

  g_assert_true (JSON_NODE_HOLDS_OBJECT (installed));
  members = json_object_get_members (json_node_get_object (installed));
  for (GList *l = members; l != NULL; l = l->next)
    {
      const char *built = l->data;
      const char *destination = json_object_get_string_member (json_node_get_object (installed),
                                                               built);

      if (destination != NULL && g_str_has_suffix (destination, suffix))
        {
          found = TRUE;
          /* meson test builds it first (the test depends on it). */
          g_assert_true (g_file_test (built, G_FILE_TEST_IS_EXECUTABLE));
        }
    }
  if (!found)
    g_error ("no installed file ends in %s (%s)", suffix, installed_path);
}

/* The text of the first <element> in @path. */
typedef struct {
  const char *element;
  char       *text;
  gboolean    inside;
  /* <launchable type="desktop-id">, <schema id="..."> */
  char       *launchable;
  GPtrArray  *schema_ids;
} MarkupScan;

static void
scan_start (GMarkupParseContext *context,
            const char          *element,
            const char         **names,
            const char         **values,
            gpointer             data,
            GError             **error)
{
  MarkupScan *scan = data;

  if (g_str_equal (element, scan->element) && scan->text == NULL
      && g_markup_parse_context_get_element_stack (context)->next != NULL
      && g_str_equal (g_markup_parse_context_get_element_stack (context)->next->data,
                      "component"))
    scan->inside = TRUE;
  if (g_str_equal (element, "launchable"))
    for (guint i = 0; names[i] != NULL; i++)
      if (g_str_equal (names[i], "type") && g_str_equal (values[i], "desktop-id"))
        scan->inside = TRUE;
  if (g_str_equal (element, "schema"))
    for (guint i = 0; names[i] != NULL; i++)
      if (g_str_equal (names[i], "id"))
        g_ptr_array_add (scan->schema_ids, g_strdup (values[i]));
}

static void
scan_end (GMarkupParseContext *context,
          const char          *element,
          gpointer             data,
          GError             **error)
{
  ((MarkupScan *) data)->inside = FALSE;
}

static void
scan_text (GMarkupParseContext *context,
           const char          *text,
           gsize                length,
           gpointer             data,
           GError             **error)
{
  MarkupScan *scan = data;
  const char *element = g_markup_parse_context_get_element (context);

  if (!scan->inside)
    return;
  if (g_str_equal (element, "launchable") && scan->launchable == NULL)
    scan->launchable = g_strstrip (g_strndup (text, length));
  else if (g_str_equal (element, scan->element) && scan->text == NULL)
    scan->text = g_strstrip (g_strndup (text, length));
}

static void
scan_markup (const char *path,
             MarkupScan *scan)
{
  static const GMarkupParser parser = { scan_start, scan_end, scan_text, NULL, NULL };
  g_autofree char *text = NULL;
  gsize length;
  g_autoptr(GError) error = NULL;
  GMarkupParseContext *context;

  g_assert_true (g_file_get_contents (path, &text, &length, &error));
  context = g_markup_parse_context_new (&parser, G_MARKUP_IGNORE_QUALIFIED, scan, NULL);
  if (!g_markup_parse_context_parse (context, text, length, &error)
      || !g_markup_parse_context_end_parse (context, &error))
    g_error ("%s: %s", path, error->message);
  g_markup_parse_context_free (context);
}

/* The desktop file, the metainfo, the schema and the icons all carry the manifest's id. */
static void
test_manifest_ids (void)
{
  const char *id = app_id ();
  g_autofree char *desktop_name = g_path_get_basename (desktop_path);
  g_autofree char *expected_desktop = g_strdup_printf ("%s.desktop", id);
  g_autoptr(GKeyFile) desktop = g_key_file_new ();
  g_autoptr(GError) error = NULL;
  g_autofree char *icon = NULL, *exec = NULL;
  g_auto(GStrv) exec_argv = NULL;
  MarkupScan metainfo = { "id", NULL, FALSE, NULL, g_ptr_array_new_with_free_func (g_free) };
  MarkupScan schema = { "-", NULL, FALSE, NULL, g_ptr_array_new_with_free_func (g_free) };
  g_autofree char *svg = NULL, *symbolic = NULL;
  g_autofree char *svg_name = g_strdup_printf ("%s.svg", id);
  g_autofree char *symbolic_name = g_strdup_printf ("%s-symbolic.svg", id);

  /* Desktop file: named after the id, with the id as icon and the command as Exec. */
  g_assert_cmpstr (desktop_name, ==, expected_desktop);
  g_assert_true (g_key_file_load_from_file (desktop, desktop_path, G_KEY_FILE_NONE, &error));
  g_assert_no_error (error);
  icon = g_key_file_get_string (desktop, G_KEY_FILE_DESKTOP_GROUP, G_KEY_FILE_DESKTOP_KEY_ICON,
                                &error);
  g_assert_no_error (error);
  g_assert_cmpstr (icon, ==, id);
  exec = g_key_file_get_string (desktop, G_KEY_FILE_DESKTOP_GROUP, G_KEY_FILE_DESKTOP_KEY_EXEC,
                                &error);
  g_assert_no_error (error);
  g_assert_true (g_shell_parse_argv (exec, NULL, &exec_argv, &error));
  g_assert_cmpstr (exec_argv[0], ==, require_string (manifest, "manifest", "command"));

  /* Metainfo: the component id and the launchable. */
  scan_markup (metainfo_path, &metainfo);
  g_assert_cmpstr (metainfo.text, ==, id);
  g_assert_cmpstr (metainfo.launchable, ==, expected_desktop);

  /* Settings schema: the schema with the application's id (GApplication looks it up so). */
  scan_markup (schema_path, &schema);
  g_assert_true (g_ptr_array_find_with_equal_func (schema.schema_ids, id, g_str_equal, NULL));

  /* Icons, named as the desktop file's Icon. */
  svg = g_build_filename (source_dir, "data", "icons", "hicolor", "scalable", "apps",
                          svg_name, NULL);
  symbolic = g_build_filename (source_dir, "data", "icons", "hicolor", "symbolic", "apps",
                               symbolic_name, NULL);
  g_assert_true (g_file_test (svg, G_FILE_TEST_IS_REGULAR));
  g_assert_true (g_file_test (symbolic, G_FILE_TEST_IS_REGULAR));

  g_free (metainfo.text);
  g_free (metainfo.launchable);
  g_ptr_array_unref (metainfo.schema_ids);
  g_free (schema.text);
  g_free (schema.launchable);
  g_ptr_array_unref (schema.schema_ids);
}

static gboolean
is_dbus_name (const char *name)
{
  /* A well-known name, or a prefix ending in ".*" as flatpak allows. */
  g_autofree char *plain = g_str_has_suffix (name, ".*")
                             ? g_strndup (name, strlen (name) - 2) : g_strdup (name);

  return g_dbus_is_name (plain) && !g_dbus_is_unique_name (plain);
}

/* One option of flatpak build-finish (flatpak-build-finish(1)), with its value. */
static gboolean
is_known_finish_arg (const char *arg)
{
  static const char * const shares[] = { "network", "ipc", NULL };
  static const char * const sockets[] = {
    "x11", "wayland", "fallback-x11", "pulseaudio", "system-bus", "session-bus",
    "ssh-auth", "pcsc", "cups", "gpg-agent", "inherit-wayland-socket", NULL
  };
  static const char * const devices[] = { "dri", "input", "usb", "kvm", "shm", "all", NULL };
  static const char * const features[] = {
    "devel", "multiarch", "bluetooth", "canbus", "per-app-dev-shm", NULL
  };
  static const struct {
    const char         *option;
    const char * const *values;   /* NULL: a D-Bus name */
  } enumerated[] = {
    { "--share=", shares }, { "--unshare=", shares },
    { "--socket=", sockets }, { "--nosocket=", sockets },
    { "--device=", devices }, { "--nodevice=", devices },
    { "--allow=", features }, { "--disallow=", features },
    { "--talk-name=", NULL }, { "--own-name=", NULL }, { "--no-talk-name=", NULL },
    { "--system-talk-name=", NULL }, { "--system-own-name=", NULL },
    { "--system-no-talk-name=", NULL },
  };
  static const char * const free_form[] = {
    "--filesystem=", "--nofilesystem=", "--env=", "--unset-env=", "--persist=",
    "--add-policy=", "--remove-policy=", "--metadata=", "--require-version=", NULL
  };

  for (guint i = 0; i < G_N_ELEMENTS (enumerated); i++)
    if (g_str_has_prefix (arg, enumerated[i].option))
      {
        const char *value = arg + strlen (enumerated[i].option);

        return enumerated[i].values != NULL ? g_strv_contains (enumerated[i].values, value)
                                            : is_dbus_name (value);
      }
  for (guint i = 0; free_form[i] != NULL; i++)
    if (g_str_has_prefix (arg, free_form[i]) && arg[strlen (free_form[i])] != '\0')
      return TRUE;
  return FALSE;
}

static void
test_manifest_finish_args (void)
{
  /* What the studio needs: a display (Wayland, X11 only without it), GPU rendering, the
   * network for HTTP nodes, AI providers and sync, and the keyring for credentials. */
  static const char * const required[] = {
    "--socket=wayland", "--socket=fallback-x11", "--share=ipc", "--device=dri",
    "--share=network", "--talk-name=org.freedesktop.secrets", NULL
  };
  JsonArray *args = require_array (manifest, "manifest", "finish-args");
  g_autoptr(GHashTable) seen = g_hash_table_new (g_str_hash, g_str_equal);

  for (guint i = 0; i < json_array_get_length (args); i++)
    {
      const char *arg = json_array_get_string_element (args, i);

      g_assert_nonnull (arg);
      if (!is_known_finish_arg (arg))
        g_error ("finish-args: %s is not a flatpak build-finish option", arg);
      if (g_hash_table_contains (seen, arg))
        g_error ("finish-args: %s is given twice", arg);
      g_hash_table_add (seen, (gpointer) arg);
      /* Files are opened and saved through the file chooser portal; the sandbox needs
       * no holes into the home directory. */
      g_assert_false (g_str_equal (arg, "--filesystem=host"));
      g_assert_false (g_str_equal (arg, "--filesystem=home"));
      /* fallback-x11 and x11 together would give X11 even on Wayland. */
      g_assert_false (g_str_equal (arg, "--socket=x11"));
    }
  for (guint i = 0; required[i] != NULL; i++)
    if (!g_hash_table_contains (seen, required[i]))
      g_error ("finish-args: %s is missing", required[i]);

  /* The checker itself refuses what flatpak would. */
  g_assert_false (is_known_finish_arg ("--socket=wayland2"));
  g_assert_false (is_known_finish_arg ("--share=everything"));
  g_assert_false (is_known_finish_arg ("--talk-name=:1.42"));
  g_assert_false (is_known_finish_arg ("--filesystem="));
  g_assert_false (is_known_finish_arg ("--frobnicate"));
  g_assert_true (is_known_finish_arg ("--talk-name=org.freedesktop.portal.*"));
}

int
main (int argc, char *argv[])
{
  g_autoptr(JsonNode) root = NULL;

  g_test_init (&argc, &argv, NULL);

  manifest_path = env_path ("DECA_FLATPAK_MANIFEST");
  desktop_path = env_path ("DECA_DESKTOP_FILE");
  metainfo_path = env_path ("DECA_METAINFO_FILE");
  schema_path = env_path ("DECA_GSCHEMA_FILE");
  installed_path = env_path ("DECA_INSTALLED_JSON");
  source_dir = env_path ("DECA_SOURCE_DIR");

  root = load_json (manifest_path);
  g_assert_true (JSON_NODE_HOLDS_OBJECT (root));
  manifest = json_node_get_object (root);

  g_test_add_func ("/deca/data/flatpak/keys", test_manifest_keys);
  g_test_add_func ("/deca/data/flatpak/modules", test_manifest_modules);
  g_test_add_func ("/deca/data/flatpak/app-module", test_manifest_app_module);
  g_test_add_func ("/deca/data/flatpak/command-installed", test_manifest_command_installed);
  g_test_add_func ("/deca/data/flatpak/ids", test_manifest_ids);
  g_test_add_func ("/deca/data/flatpak/finish-args", test_manifest_finish_args);
  return g_test_run ();
}
