/* test-studio-cli.c: the command line of the real deca-studio ($DECA_STUDIO_BIN): what it
 * answers before any window exists (no display needed), and that a bad argument ends in a
 * message that says what is wrong and a failing status, never a crash or a critical. */

#include <string.h>
#include <gio/gio.h>

typedef struct {
  const char *args[4];
  int         status;      /* the exit status expected */
  const char *out;         /* a part of stdout, or NULL */
  const char *err;         /* a part of stderr, or NULL */
} Case;

static const Case cases[] = {
  { { "--version" }, 0, "deca-studio " PACKAGE_VERSION_FOR_TESTS, NULL },
  { { "--help" }, 0, "--db=FILE", NULL },
  { { "--db=" }, 2, NULL, "--db needs a file name" },
  { { "--db" }, 1, NULL, "Missing argument for --db" },
  { { "--no-such-option" }, 1, NULL, "Unknown option --no-such-option" },
};

static void
run_case (gconstpointer data)
{
  const Case *c = data;
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();
  g_autoptr(GSubprocessLauncher) launcher =
    g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE | G_SUBPROCESS_FLAGS_STDERR_PIPE);
  g_autoptr(GSubprocess) child = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;

  g_ptr_array_add (argv, (char *) g_getenv ("DECA_STUDIO_BIN"));
  for (guint i = 0; i < G_N_ELEMENTS (c->args) && c->args[i]; i++)
    g_ptr_array_add (argv, (char *) c->args[i]);
  g_ptr_array_add (argv, NULL);

  /* No display: what is checked here must not need one. */
  g_subprocess_launcher_unsetenv (launcher, "DISPLAY");
  g_subprocess_launcher_unsetenv (launcher, "WAYLAND_DISPLAY");
  child = g_subprocess_launcher_spawnv (launcher, (const char * const *) argv->pdata, &error);
  g_assert_no_error (error);
  g_assert_true (g_subprocess_communicate_utf8 (child, NULL, NULL, &out, &err, &error));
  g_assert_no_error (error);

  g_assert_true (g_subprocess_get_if_exited (child));
  g_assert_cmpint (g_subprocess_get_exit_status (child), ==, c->status);
  if (c->out)
    g_assert_nonnull (strstr (out, c->out));
  if (c->err)
    g_assert_nonnull (strstr (err, c->err));
  g_assert_null (strstr (err, "CRITICAL"));
  g_assert_null (strstr (err, "WARNING"));
}

int
main (int argc, char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  g_assert_nonnull (g_getenv ("DECA_STUDIO_BIN"));
  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *path = g_strdup_printf ("/deca/app/studio-cli/%s", cases[i].args[0]);
      g_test_add_data_func (path, &cases[i], run_case);
    }
  return g_test_run ();
}
