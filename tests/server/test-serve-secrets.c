/* test-serve-secrets.c: the real `deca` ($DECA_BIN) for the secrets and background tasks
 * of the server: `deca serve --rotate-key` with two keys (blobs readable with the old key
 * before and with the new one after; a key file that opens nothing fails and changes
 * nothing), `deca backup` taken while another connection writes (a consistent prefix;
 * an existing file refused), and the retention options of `deca serve` pruning executions
 * and audit lines when it starts; DecaRetention on a manual clock (a run at start, then
 * hourly). */

#include "config.h"

#include <signal.h>
#include <string.h>
#include <glib/gstdio.h>
#include <json-glib/json-glib.h>

#include <deca-store-server.h>

#include "deca-log.h"
#include "deca-retention.h"
#include "deca-secret-box.h"
#include "deca-store-credentials.h"
#include "deca-test-fs.h"

#define SECRET "sk-rotate-me-Q81-secret"
#define KEY_LINE_OLD "old:000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f"
#define KEY_LINE_NEW "new:202122232425262728292a2b2c2d2e2f303132333435363738393a3b3c3d3e3f"
#define KEY_LINE_WRONG "wrong:404142434445464748494a4b4c4d4e4f505152535455565758595a5b5c5d5e5f"

typedef struct {
  char *dir;
  char *data_dir;
  char *db_path;
} Fixture;

static const char *
deca_bin (void)
{
  const char *bin = g_getenv ("DECA_BIN");

  g_assert_nonnull (bin);
  return bin;
}

static void
fixture_setup (Fixture       *fixture,
               gconstpointer  data)
{
  g_autoptr(GError) error = NULL;

  fixture->dir = g_dir_make_tmp ("deca-test-serve-secrets-XXXXXX", &error);
  g_assert_no_error (error);
  fixture->data_dir = g_build_filename (fixture->dir, "data", NULL);
  g_assert_cmpint (g_mkdir (fixture->data_dir, 0700), ==, 0);
  fixture->db_path = g_build_filename (fixture->data_dir, "deca.db", NULL);
}

static void
fixture_teardown (Fixture       *fixture,
                  gconstpointer  data)
{
  deca_test_remove_tree (fixture->dir);
  g_free (fixture->dir);
  g_free (fixture->data_dir);
  g_free (fixture->db_path);
}

/* Writes @text to the file @name of the fixture's directory; returns (transfer full) its
 * path. */
static char *
write_file (Fixture    *fixture,
            const char *name,
            const char *text)
{
  g_autoptr(GError) error = NULL;
  char *path = g_build_filename (fixture->dir, name, NULL);

  g_file_set_contents (path, text, -1, &error);
  g_assert_no_error (error);
  return path;
}

/* Runs `deca ARGS...` (NULL-terminated) to its end with @env_key as $DECA_SECRET_KEY
 * (NULL: unset); returns its exit status and sets @out and @err (nullable) to its output. */
static int
run_deca (const char  *env_key,
          char       **out,
          char       **err,
          ...)
{
  g_autoptr(GSubprocessLauncher) launcher =
    g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE | G_SUBPROCESS_FLAGS_STDERR_PIPE);
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();
  g_autoptr(GSubprocess) process = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *stdout_text = NULL;
  g_autofree char *stderr_text = NULL;
  const char *arg;
  va_list args;

  g_ptr_array_add (argv, (char *) deca_bin ());
  va_start (args, err);
  while ((arg = va_arg (args, const char *)) != NULL)
    g_ptr_array_add (argv, (char *) arg);
  va_end (args);
  g_ptr_array_add (argv, NULL);
  if (env_key != NULL)
    g_subprocess_launcher_setenv (launcher, "DECA_SECRET_KEY", env_key, TRUE);
  else
    g_subprocess_launcher_unsetenv (launcher, "DECA_SECRET_KEY");
  process = g_subprocess_launcher_spawnv (launcher, (const char *const *) argv->pdata, &error);
  g_assert_no_error (error);
  g_subprocess_communicate_utf8 (process, NULL, NULL, &stdout_text, &stderr_text, &error);
  g_assert_no_error (error);
  g_assert_true (g_subprocess_get_if_exited (process));
  /* Whatever happened, no secret is printed. */
  g_assert_null (strstr (stdout_text, SECRET));
  g_assert_null (strstr (stderr_text, SECRET));
  if (out != NULL)
    *out = g_steal_pointer (&stdout_text);
  if (err != NULL)
    *err = g_steal_pointer (&stderr_text);
  return g_subprocess_get_exit_status (process);
}

static DecaSecretBox *
box_with (const char *keys)
{
  g_autoptr(GError) error = NULL;
  DecaSecretBox *box = deca_secret_box_new ();

  g_assert_true (deca_secret_box_load_keys (box, keys, &error));
  g_assert_no_error (error);
  return box;
}

static DecaStore *
open_store (const char *path)
{
  g_autoptr(GError) error = NULL;
  DecaStore *store = deca_store_open (path, &error);

  g_assert_no_error (error);
  return store;
}

static void
put_credential (DecaStore     *store,
                DecaSecretBox *box,
                const char    *workspace,
                const char    *id)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) secret = json_from_string ("{\"api_key\": \"" SECRET "\"}", NULL);
  g_autoptr(GBytes) blob = deca_store_credentials_seal (box, workspace, id, json_node_get_object (secret), &error);
  DecaCredentialRecord record = {
    .id = (char *) id, .workspace_id = (char *) workspace, .name = (char *) id,
    .type = (char *) "api_key", .ciphertext = blob,
    .key_id = (char *) deca_secret_box_get_current_key_id (box),
  };

  g_assert_no_error (error);
  g_assert_true (deca_store_insert_credential (store, &record, &error));
  g_assert_no_error (error);
}

/* TRUE when every credential of the database decrypts with @box; FALSE when none does. */
static gboolean
all_decrypt_with (const char    *db_path,
                  DecaSecretBox *box)
{
  g_autoptr(DecaStore) store = open_store (db_path);
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) records = deca_store_list_credentials (store, NULL, &error);
  guint opened = 0;

  g_assert_no_error (error);
  g_assert_cmpuint (records->len, >, 0);
  for (guint i = 0; i < records->len; i++)
    {
      g_autoptr(JsonObject) fields = deca_store_credentials_open (box, g_ptr_array_index (records, i), NULL);

      if (fields != NULL)
        {
          g_assert_cmpstr (json_object_get_string_member (fields, "api_key"), ==, SECRET);
          opened++;
        }
    }
  g_assert_true (opened == 0 || opened == records->len);
  return opened == records->len;
}

/* The ciphertexts of the database, concatenated, to see that nothing changed. */
static GBytes *
all_ciphertexts (const char *db_path)
{
  g_autoptr(DecaStore) store = open_store (db_path);
  g_autoptr(GPtrArray) records = deca_store_list_credentials (store, NULL, NULL);
  g_autoptr(GByteArray) all = g_byte_array_new ();

  for (guint i = 0; i < records->len; i++)
    {
      DecaCredentialRecord *record = g_ptr_array_index (records, i);
      gsize len;
      const guint8 *data = g_bytes_get_data (record->ciphertext, &len);

      g_byte_array_append (all, data, len);
      g_byte_array_append (all, (const guint8 *) record->key_id, strlen (record->key_id) + 1);
    }
  return g_byte_array_free_to_bytes (g_steal_pointer (&all));
}

static void
test_rotate_key (Fixture       *fixture,
                 gconstpointer  data)
{
  g_autoptr(DecaSecretBox) old_box = box_with (KEY_LINE_OLD);
  g_autoptr(DecaSecretBox) new_box = box_with (KEY_LINE_NEW);
  g_autofree char *both_file = write_file (fixture, "keys-both", "# rotation\n" KEY_LINE_OLD "\n" KEY_LINE_NEW "\n");
  g_autofree char *wrong_file = write_file (fixture, "keys-wrong", KEY_LINE_WRONG "\n");
  g_autofree char *empty_dir = g_build_filename (fixture->dir, "empty", NULL);
  g_autofree char *empty_db = g_build_filename (empty_dir, "deca.db", NULL);
  g_autoptr(GBytes) before = NULL;
  g_autoptr(GBytes) after_failure = NULL;
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;

  {
    g_autoptr(DecaStore) store = open_store (fixture->db_path);

    g_assert_true (deca_store_create_workspace (store, "ws-a", "A", NULL));
    g_assert_true (deca_store_create_workspace (store, "ws-b", "B", NULL));
    put_credential (store, old_box, "ws-a", "c1");
    put_credential (store, old_box, "ws-a", "c2");
    put_credential (store, old_box, "ws-b", "c3");
  }
  g_assert_true (all_decrypt_with (fixture->db_path, old_box));
  g_assert_false (all_decrypt_with (fixture->db_path, new_box));
  before = all_ciphertexts (fixture->db_path);

  /* A key file that opens none of them: status 1, the reason, nothing changed. */
  g_assert_cmpint (run_deca (NULL, &out, &err, "serve", "--rotate-key", "--secret-key-file", wrong_file,
                             "--data-dir", fixture->data_dir, NULL), ==, 1);
  g_assert_true (g_str_has_prefix (err, "deca: serve: key rotation failed, nothing was changed"));
  g_assert_cmpstr (out, ==, "");
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);
  after_failure = all_ciphertexts (fixture->db_path);
  g_assert_true (g_bytes_equal (before, after_failure));

  /* Without keys, or without a database: usage errors, and no database is made. */
  g_assert_cmpint (run_deca (NULL, NULL, NULL, "serve", "--rotate-key", "--data-dir", fixture->data_dir,
                             NULL), ==, 2);
  g_assert_cmpint (g_mkdir (empty_dir, 0700), ==, 0);
  g_assert_cmpint (run_deca (NULL, NULL, &err, "serve", "--rotate-key", "--secret-key-file", both_file,
                             "--data-dir", empty_dir, NULL), ==, 2);
  g_assert_nonnull (strstr (err, "no database"));
  g_clear_pointer (&err, g_free);
  g_assert_false (g_file_test (empty_db, G_FILE_TEST_EXISTS));

  /* Old and new key, the new one last: everything moves to it. */
  g_assert_cmpint (run_deca (NULL, &out, NULL, "serve", "--rotate-key", "--secret-key-file", both_file,
                             "--data-dir", fixture->data_dir, NULL), ==, 0);
  g_assert_cmpstr (out, ==, "Re-encrypted 3 credentials under key 'new'\n");
  g_clear_pointer (&out, g_free);
  g_assert_false (all_decrypt_with (fixture->db_path, old_box));
  g_assert_true (all_decrypt_with (fixture->db_path, new_box));

  /* The key may come from $DECA_SECRET_KEY too; the old key is no longer needed. */
  g_assert_cmpint (run_deca (KEY_LINE_NEW, &out, NULL, "serve", "--rotate-key",
                             "--data-dir", fixture->data_dir, NULL), ==, 0);
  g_assert_cmpstr (out, ==, "Re-encrypted 3 credentials under key 'new'\n");
  g_assert_true (all_decrypt_with (fixture->db_path, new_box));
}

/* --- backup while another connection writes ------------------------------------------ */

typedef struct {
  const char *db_path;
  DecaSecretBox *box;
  gint written;           /* atomic */
  gint stop;              /* atomic */
} Writer;

/* Inserts credentials w00000, w00001, ... one transaction each, until told to stop. */
static gpointer
writer_thread (gpointer data)
{
  Writer *writer = data;
  g_autoptr(DecaStore) store = open_store (writer->db_path);

  for (guint i = 0; !g_atomic_int_get (&writer->stop); i++)
    {
      g_autofree char *id = g_strdup_printf ("w%05u", i);

      put_credential (store, writer->box, "ws-a", id);
      g_atomic_int_inc (&writer->written);
    }
  return NULL;
}

/* Starts `deca serve` on the fixture's data directory and waits for its first line. */
static GSubprocess *
start_server (Fixture    *fixture,
              const char *stderr_path,
              ...)
{
  g_autoptr(GSubprocessLauncher) launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE);
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();
  g_autoptr(GDataInputStream) output = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *line = NULL;
  GSubprocess *process;
  const char *arg;
  va_list args;

  g_ptr_array_add (argv, (char *) deca_bin ());
  g_ptr_array_add (argv, "serve");
  g_ptr_array_add (argv, "--listen");
  g_ptr_array_add (argv, "127.0.0.1:0");
  g_ptr_array_add (argv, "--data-dir");
  g_ptr_array_add (argv, fixture->data_dir);
  va_start (args, stderr_path);
  while ((arg = va_arg (args, const char *)) != NULL)
    g_ptr_array_add (argv, (char *) arg);
  va_end (args);
  g_ptr_array_add (argv, NULL);
  g_subprocess_launcher_unsetenv (launcher, "DECA_SECRET_KEY");
  g_subprocess_launcher_set_stderr_file_path (launcher, stderr_path);
  process = g_subprocess_launcher_spawnv (launcher, (const char *const *) argv->pdata, &error);
  g_assert_no_error (error);
  output = g_data_input_stream_new (g_subprocess_get_stdout_pipe (process));
  line = g_data_input_stream_read_line_utf8 (output, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (line);
  g_assert_true (g_str_has_prefix (line, "Listening on http://127.0.0.1:"));
  return process;
}

static void
stop_server (GSubprocess *process)
{
  g_autoptr(GError) error = NULL;

  g_subprocess_send_signal (process, SIGTERM);
  g_subprocess_wait (process, NULL, &error);
  g_assert_no_error (error);
  g_assert_true (g_subprocess_get_if_exited (process));
  g_assert_cmpint (g_subprocess_get_exit_status (process), ==, 0);
}

static void
test_backup (Fixture       *fixture,
             gconstpointer  data)
{
  g_autoptr(DecaSecretBox) box = box_with (KEY_LINE_OLD);
  g_autofree char *key_file = write_file (fixture, "keys", KEY_LINE_OLD "\n");
  g_autofree char *stderr_path = g_build_filename (fixture->dir, "serve.log", NULL);
  g_autofree char *backup = g_build_filename (fixture->dir, "backup.db", NULL);
  g_autofree char *missing = g_build_filename (fixture->dir, "missing", NULL);
  g_autofree char *err = NULL;
  g_autofree char *copy_before = NULL;
  g_autofree char *copy_after = NULL;
  g_autoptr(GSubprocess) server = NULL;
  g_autoptr(GPtrArray) records = NULL;
  g_autoptr(GError) error = NULL;
  Writer writer = { .db_path = fixture->db_path, .box = box };
  GThread *thread;
  gsize len_before, len_after;

  {
    g_autoptr(DecaStore) store = open_store (fixture->db_path);

    g_assert_true (deca_store_create_workspace (store, "ws-a", "A", NULL));
  }
  server = start_server (fixture, stderr_path, "--secret-key-file", key_file, NULL);
  thread = g_thread_new ("writer", writer_thread, &writer);
  /* The copy starts once writes are going on, and they go on while it is taken. */
  while (g_atomic_int_get (&writer.written) < 20)
    g_thread_yield ();
  g_assert_cmpint (run_deca (NULL, NULL, &err, "backup", "--data-dir", fixture->data_dir,
                             "--to", backup, NULL), ==, 0);
  g_atomic_int_set (&writer.stop, 1);
  g_thread_join (thread);
  stop_server (server);

  /* The copy is a database as of one moment: a prefix w00000 ... of the writes, each
   * whole (its secret decrypts). */
  {
    g_autoptr(DecaStore) copy = open_store (backup);

    records = deca_store_list_credentials (copy, "ws-a", &error);
    g_assert_no_error (error);
  }
  g_assert_cmpuint (records->len, >=, 20);
  g_assert_cmpuint (records->len, <=, (guint) g_atomic_int_get (&writer.written));
  for (guint i = 0; i < records->len; i++)
    {
      DecaCredentialRecord *record = g_ptr_array_index (records, i);
      g_autofree char *id = g_strdup_printf ("w%05u", i);
      g_autoptr(JsonObject) fields = deca_store_credentials_open (box, record, &error);

      g_assert_cmpstr (record->id, ==, id);
      g_assert_no_error (error);
      g_assert_cmpstr (json_object_get_string_member (fields, "api_key"), ==, SECRET);
    }

  /* An existing file is never overwritten. */
  g_assert_true (g_file_get_contents (backup, &copy_before, &len_before, NULL));
  g_clear_pointer (&err, g_free);
  g_assert_cmpint (run_deca (NULL, NULL, &err, "backup", "--data-dir", fixture->data_dir,
                             "--to", backup, NULL), ==, 2);
  g_assert_true (g_str_has_prefix (err, "deca: backup: "));
  g_assert_true (g_file_get_contents (backup, &copy_after, &len_after, NULL));
  g_assert_cmpmem (copy_before, len_before, copy_after, len_after);

  /* A directory without a database gets none; --to is required. */
  g_assert_cmpint (g_mkdir (missing, 0700), ==, 0);
  g_clear_pointer (&err, g_free);
  g_assert_cmpint (run_deca (NULL, NULL, &err, "backup", "--data-dir", missing, "--to", "x.db", NULL), ==, 2);
  g_assert_nonnull (strstr (err, "no database"));
  g_assert_cmpint (run_deca (NULL, NULL, NULL, "backup", "--data-dir", fixture->data_dir, NULL), ==, 2);
}

/* --- retention ----------------------------------------------------------------------- */

static void
add_execution (DecaStore  *store,
               const char *workspace_id,
               const char *id,
               const char *status,
               gint64      created_at)
{
  g_autoptr(GError) error = NULL;
  DecaExecutionRecord record = {
    .id = (char *) id, .flow_id = (char *) "f", .flow_version = 1,
    .status = (char *) status, .input = (char *) "{}", .created_at = created_at,
    .finished_at = g_str_equal (status, DECA_STATUS_PAUSED) ? 0 : created_at + 10,
    .workspace_id = (char *) workspace_id,
  };

  g_assert_true (deca_store_insert_execution (store, &record, &error));
  g_assert_no_error (error);
}

static guint
count_executions (DecaStore  *store,
                  const char *workspace_id)
{
  g_autoptr(GPtrArray) executions = deca_store_list_workspace_executions (store, workspace_id, NULL, NULL, NULL,
                                                                          NULL, 0, NULL);

  return executions->len;
}

static void
add_topic_event (DecaStore  *store,
                 const char *workspace_id,
                 const char *topic,
                 gint64      published_at)
{
  g_autoptr(GError) error = NULL;
  DecaTopicEventRecord record = {
    .workspace_id = (char *) workspace_id, .topic = (char *) topic, .payload = (char *) "{}",
    .published_at = published_at, .source = (char *) "api",
  };

  g_assert_true (deca_store_append_topic_event (store, &record, NULL, &error));
  g_assert_no_error (error);
}

/* The topics of @workspace_id's stored events, oldest first, joined with " ". */
static char *
topic_events (DecaStore  *store,
              const char *workspace_id)
{
  g_autoptr(GPtrArray) events = deca_store_list_topic_events (store, workspace_id, 0, 0, NULL);
  g_autoptr(GString) topics = g_string_new (NULL);

  g_assert_nonnull (events);
  for (guint i = 0; i < events->len; i++)
    g_string_append_printf (topics, "%s%s", i > 0 ? " " : "",
                            ((DecaTopicEventRecord *) g_ptr_array_index (events, i))->topic);
  return g_string_free (g_steal_pointer (&topics), FALSE);
}

static void
test_retention (Fixture       *fixture,
                gconstpointer  data)
{
  g_autofree char *stderr_path = g_build_filename (fixture->dir, "serve.log", NULL);
  g_autofree char *default_path = g_build_filename (fixture->dir, "serve-defaults.log", NULL);
  g_autofree char *log = NULL;
  g_autoptr(GSubprocess) server = NULL;
  g_autoptr(GPtrArray) audit = NULL;
  gint64 now = g_get_real_time ();
  gint64 day = (gint64) 24 * 3600 * G_USEC_PER_SEC;
  const char *workspaces[] = { "ws-a", "ws-b" };

  {
    g_autoptr(DecaStore) store = open_store (fixture->db_path);

    for (gsize w = 0; w < G_N_ELEMENTS (workspaces); w++)
      {
        g_assert_true (deca_store_create_workspace (store, workspaces[w], "W", NULL));
        for (int i = 0; i < 5; i++)
          {
            g_autofree char *old_id = g_strdup_printf ("%s-old-%d", workspaces[w], i);
            g_autofree char *new_id = g_strdup_printf ("%s-new-%d", workspaces[w], i);

            /* Five finished ten days ago, five in the last hour. */
            add_execution (store, workspaces[w], old_id, DECA_STATUS_SUCCEEDED, now - 10 * day + i);
            add_execution (store, workspaces[w], new_id, DECA_STATUS_FAILED, now - (gint64) 3600 * G_USEC_PER_SEC + i);
          }
        /* Unfinished ones are never pruned, however old (paused: a running one would be
         * resumed by the server, and fail without its flow). */
        {
          g_autofree char *paused_id = g_strdup_printf ("%s-paused", workspaces[w]);

          add_execution (store, workspaces[w], paused_id, DECA_STATUS_PAUSED, now - 30 * day);
        }
      }
    for (int i = 0; i < 3; i++)
      {
        DecaAuditRecord line = {
          .at = i < 2 ? now - 10 * day : now - day, .workspace_id = (char *) "ws-a",
          .actor = (char *) "user:tester", .action = (char *) "flow.update",
          .result = (char *) "ok",
        };

        g_assert_true (deca_store_append_audit (store, &line, NULL, NULL));
      }
    /* Published events of 40, 20 and 1 day ago in each workspace. */
    for (gsize w = 0; w < G_N_ELEMENTS (workspaces); w++)
      {
        add_topic_event (store, workspaces[w], "forty", now - 40 * day);
        add_topic_event (store, workspaces[w], "twenty", now - 20 * day);
        add_topic_event (store, workspaces[w], "one", now - day);
      }
  }

  /* Bad values are usage errors. */
  g_assert_cmpint (run_deca (NULL, NULL, NULL, "serve", "--data-dir", fixture->data_dir,
                             "--keep-executions", "-1", NULL), ==, 2);
  g_assert_cmpint (run_deca (NULL, NULL, NULL, "serve", "--data-dir", fixture->data_dir,
                             "--keep-audit-days", "soon", NULL), ==, 2);
  g_assert_cmpint (run_deca (NULL, NULL, NULL, "serve", "--data-dir", fixture->data_dir,
                             "--keep-events-days", "-1", NULL), ==, 2);

  /* Without any option, published events are kept 30 days, and nothing else is pruned. */
  server = start_server (fixture, default_path, NULL);
  {
    g_autoptr(DecaStore) store = open_store (fixture->db_path);

    for (gsize w = 0; w < G_N_ELEMENTS (workspaces); w++)
      {
        g_autofree char *topics = topic_events (store, workspaces[w]);

        g_assert_cmpstr (topics, ==, "twenty one");
        g_assert_cmpuint (count_executions (store, workspaces[w]), ==, 11);
      }
  }
  stop_server (server);
  g_clear_object (&server);

  /* Applied before the server listens: by the time it says where, it is done. */
  server = start_server (fixture, stderr_path, "--keep-executions-days", "7", "--keep-executions", "3",
                         "--keep-audit-days", "7", "--keep-events-days", "7", NULL);
  {
    g_autoptr(DecaStore) store = open_store (fixture->db_path);
    g_autofree char *topics_a = topic_events (store, "ws-a");
    g_autofree char *topics_b = topic_events (store, "ws-b");

    g_assert_cmpstr (topics_a, ==, "one");
    g_assert_cmpstr (topics_b, ==, "one");

    for (gsize w = 0; w < G_N_ELEMENTS (workspaces); w++)
      {
        g_autoptr(GError) error = NULL;
        g_autofree char *paused_id = g_strdup_printf ("%s-paused", workspaces[w]);
        g_autoptr(DecaExecutionRecord) paused = deca_store_get_workspace_execution (store, workspaces[w],
                                                                                     paused_id, &error);
        g_autofree char *kept = g_strdup_printf ("%s-new-4", workspaces[w]);
        g_autofree char *dropped = g_strdup_printf ("%s-new-1", workspaces[w]);
        g_autoptr(DecaExecutionRecord) newest = deca_store_get_workspace_execution (store, workspaces[w],
                                                                                    kept, NULL);
        g_autoptr(DecaExecutionRecord) beyond = deca_store_get_workspace_execution (store, workspaces[w],
                                                                                    dropped, NULL);

        g_assert_no_error (error);
        g_assert_nonnull (paused);
        g_assert_nonnull (newest);
        g_assert_null (beyond);
        /* The three newest finished ones, and the paused one. */
        g_assert_cmpuint (count_executions (store, workspaces[w]), ==, 4);
      }
    audit = deca_store_list_audit (store, "ws-a", 0, 0, NULL);
    g_assert_cmpuint (audit->len, ==, 1);
  }
  stop_server (server);
  g_assert_true (g_file_get_contents (stderr_path, &log, NULL, NULL));
  /* One log line says what the run deleted. */
  {
    g_auto(GStrv) lines = g_strsplit (log, "\n", -1);
    guint found = 0;

    for (guint i = 0; lines[i] != NULL; i++)
      {
        g_autoptr(JsonNode) node = NULL;
        JsonObject *object;

        if (strstr (lines[i], "\"retention\"") == NULL)
          continue;
        node = json_from_string (lines[i], NULL);
        g_assert_nonnull (node);
        object = json_node_get_object (node);
        g_assert_cmpstr (json_object_get_string_member (object, "message"), ==, "retention");
        g_assert_cmpint (json_object_get_int_member (object, "executions_deleted"), ==, 14);
        g_assert_cmpint (json_object_get_int_member (object, "audit_deleted"), ==, 2);
        g_assert_cmpint (json_object_get_int_member (object, "events_deleted"), ==, 2);
        found++;
      }
    g_assert_cmpuint (found, ==, 1);
  }
}

/* DecaRetention on a manual clock: a run at start, then one an hour, each logged; an
 * execution is pruned by the first run after it passed the age limit. */
static void
test_retention_hourly (Fixture       *fixture,
                       gconstpointer  data)
{
  const gint64 start = (gint64) 1764547200 * G_USEC_PER_SEC;  /* 2025-12-01T00:00:00Z */
  const gint64 hour = (gint64) 3600 * G_USEC_PER_SEC;
  g_autoptr(GError) error = NULL;
  g_autoptr(DecaStore) store = open_store (":memory:");
  g_autoptr(DecaManualClock) clock = deca_manual_clock_new (start);
  g_autofree char *log_path = g_build_filename (fixture->dir, "retention.log", NULL);
  g_autofree char *contents = NULL;
  g_auto(GStrv) lines = NULL;
  DecaRetentionPolicy policy = { .keep_executions_days = 1 };
  DecaRetentionPolicy nothing = { 0 };
  g_autoptr(DecaRetention) retention = NULL;
  g_autoptr(DecaRetention) idle = NULL;
  g_autoptr(DecaLog) log = NULL;
  FILE *stream = fopen (log_path, "w");

  g_assert_nonnull (stream);
  log = deca_log_new (stream, DECA_LOG_INFO);
  g_assert_true (deca_store_create_workspace (store, "ws-a", "A", &error));
  add_execution (store, "ws-a", "two-days", DECA_STATUS_SUCCEEDED, start - 48 * hour);
  add_execution (store, "ws-a", "half-a-day", DECA_STATUS_SUCCEEDED, start - 12 * hour);

  retention = deca_retention_new (store, &policy, DECA_CLOCK (clock), log);
  deca_retention_start (retention);
  g_assert_null (deca_store_get_workspace_execution (store, "ws-a", "two-days", NULL));
  g_assert_cmpuint (count_executions (store, "ws-a"), ==, 1);
  g_assert_cmpint (deca_manual_clock_next_due (clock), ==, start + hour);

  /* Twelve hourly runs later it is exactly a day old (10 µs short of it): kept. */
  g_assert_cmpuint (deca_manual_clock_advance (clock, 12 * hour), ==, 12);
  g_assert_cmpuint (count_executions (store, "ws-a"), ==, 1);
  g_assert_cmpuint (deca_manual_clock_advance (clock, hour), ==, 1);
  g_assert_cmpuint (count_executions (store, "ws-a"), ==, 0);
  deca_retention_stop (retention);
  g_assert_cmpuint (deca_manual_clock_get_pending (clock), ==, 0);

  /* A policy that limits nothing sets no timer. */
  idle = deca_retention_new (store, &nothing, DECA_CLOCK (clock), NULL);
  deca_retention_start (idle);
  g_assert_cmpuint (deca_manual_clock_get_pending (clock), ==, 0);

  g_clear_object (&log);
  fclose (stream);
  g_assert_true (g_file_get_contents (log_path, &contents, NULL, NULL));
  lines = g_strsplit (g_strchomp (contents), "\n", -1);
  /* The run at start and thirteen hourly ones; the first and the last deleted one each. */
  g_assert_cmpuint (g_strv_length (lines), ==, 14);
  for (guint i = 0; lines[i] != NULL; i++)
    {
      g_autoptr(JsonNode) node = json_from_string (lines[i], NULL);
      JsonObject *object = json_node_get_object (node);

      g_assert_cmpstr (json_object_get_string_member (object, "message"), ==, "retention");
      g_assert_cmpint (json_object_get_int_member (object, "executions_deleted"), ==,
                       i == 0 || i == 13 ? 1 : 0);
    }
}

/* Published events on a manual clock: the run at start deletes those older than the
 * limit in every workspace, and an hourly run the first time one has passed it. */
static void
test_retention_events (Fixture       *fixture,
                       gconstpointer  data)
{
  const gint64 start = (gint64) 1764547200 * G_USEC_PER_SEC;  /* 2025-12-01T00:00:00Z */
  const gint64 hour = (gint64) 3600 * G_USEC_PER_SEC;
  const gint64 day = 24 * hour;
  g_autoptr(DecaStore) store = open_store (":memory:");
  g_autoptr(DecaManualClock) clock = deca_manual_clock_new (start);
  DecaRetentionPolicy policy = { .keep_events_days = 30 };
  g_autoptr(DecaRetention) retention = NULL;
  const char *workspaces[] = { "ws-a", "ws-b" };
  guint executions = 0, audit = 0, events = 0;
  g_autoptr(GError) error = NULL;

  g_assert_true (deca_retention_policy_is_set (&policy));
  for (gsize w = 0; w < G_N_ELEMENTS (workspaces); w++)
    {
      g_assert_true (deca_store_create_workspace (store, workspaces[w], "W", NULL));
      add_topic_event (store, workspaces[w], "old", start - 31 * day);
      add_topic_event (store, workspaces[w], "soon", start - 30 * day + 90 * 60 * (gint64) G_USEC_PER_SEC);
      add_topic_event (store, workspaces[w], "new", start);
    }
  /* Executions are not this policy's. */
  add_execution (store, "ws-a", "ancient", DECA_STATUS_SUCCEEDED, start - 400 * day);

  retention = deca_retention_new (store, &policy, DECA_CLOCK (clock), NULL);
  deca_retention_start (retention);
  for (gsize w = 0; w < G_N_ELEMENTS (workspaces); w++)
    {
      g_autofree char *topics = topic_events (store, workspaces[w]);

      g_assert_cmpstr (topics, ==, "soon new");
    }
  g_assert_cmpuint (count_executions (store, "ws-a"), ==, 1);

  /* An hour on, "soon" is 30 days less half an hour old: kept; an hour later it goes. */
  g_assert_cmpuint (deca_manual_clock_advance (clock, hour), ==, 1);
  {
    g_autofree char *topics = topic_events (store, "ws-b");

    g_assert_cmpstr (topics, ==, "soon new");
  }
  g_assert_cmpuint (deca_manual_clock_advance (clock, hour), ==, 1);
  for (gsize w = 0; w < G_N_ELEMENTS (workspaces); w++)
    {
      g_autofree char *topics = topic_events (store, workspaces[w]);

      g_assert_cmpstr (topics, ==, "new");
    }
  deca_retention_stop (retention);

  /* A run by hand says what it deleted. */
  add_topic_event (store, "ws-a", "late", start - 60 * day);
  g_assert_true (deca_retention_run (retention, &executions, &audit, &events, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (events, ==, 1);
  g_assert_cmpuint (executions, ==, 0);
  g_assert_cmpuint (audit, ==, 0);
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

#define ADD(path, func) \
  g_test_add ("/deca/server/serve-secrets/" path, Fixture, NULL, fixture_setup, func, fixture_teardown)
  ADD ("rotate-key", test_rotate_key);
  ADD ("backup", test_backup);
  ADD ("retention", test_retention);
  ADD ("retention-hourly", test_retention_hourly);
  ADD ("retention-events", test_retention_events);
#undef ADD
  return g_test_run ();
}
