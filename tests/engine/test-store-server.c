/* test-store-server.c: the server's tables of DecaStore (schema version 5) against real
 * SQLite files in a temporary directory. */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <glib.h>
#include <gio/gio.h>
#include <glib/gstdio.h>
#include <sqlite3.h>

#include "deca-engine-error.h"
#include "deca-store.h"
#include "deca-store-private.h"
#include "deca-store-server.h"
#include "deca-test-store-dir.h"

typedef DecaTestStoreDir Fixture;

static void
fixture_setup (Fixture       *fixture,
               gconstpointer  data)
{
  deca_test_store_dir_init (fixture, "deca-test-store-server");
}

static void
fixture_teardown (Fixture       *fixture,
                  gconstpointer  data)
{
  deca_test_store_dir_clear (fixture);
}

/* Opens the database at @path, failing the test on error. */
static DecaStore *
open_path (const char *path)
{
  g_autoptr(GError) error = NULL;
  DecaStore *store = deca_store_open (path, &error);

  g_assert_no_error (error);
  g_assert_nonnull (store);
  return store;
}

static DecaStore *
open_store (Fixture *fixture)
{
  return open_path (fixture->path);
}

/* Runs @sql on a separate raw connection to @path and returns (transfer full) the first
 * column of the first row as text, NULL when there is no row. */
static char *
raw_query (const char *path,
           const char *sql)
{
  sqlite3 *db = NULL;
  sqlite3_stmt *stmt = NULL;
  char *result = NULL;
  int rc;

  g_assert_cmpint (sqlite3_open_v2 (path, &db, SQLITE_OPEN_READWRITE, NULL), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_prepare_v2 (db, sql, -1, &stmt, NULL), ==, SQLITE_OK);
  rc = sqlite3_step (stmt);
  if (rc == SQLITE_ROW)
    result = g_strdup ((const char *) sqlite3_column_text (stmt, 0));
  else
    g_assert_cmpint (rc, ==, SQLITE_DONE);
  sqlite3_finalize (stmt);
  sqlite3_close (db);
  return result;
}

/* Returns the integer @sql yields on a raw connection to @path. */
static gint64
raw_int (const char *path,
         const char *sql)
{
  g_autofree char *text = raw_query (path, sql);

  g_assert_nonnull (text);
  return g_ascii_strtoll (text, NULL, 10);
}

/* Schedules */

static gboolean
claim (DecaStore  *store,
       const char *flow_id,
       const char *trigger_key,
       gint64      fire_at,
       const char *owner)
{
  g_autoptr(GError) error = NULL;
  gboolean claimed = deca_store_claim_schedule_fire (store, flow_id, trigger_key, fire_at,
                                                     owner, &error);

  g_assert_no_error (error);
  return claimed;
}

static gint64
cursor (DecaStore  *store,
        const char *flow_id,
        const char *trigger_key)
{
  g_autoptr(GError) error = NULL;
  gint64 last = -1;

  g_assert_true (deca_store_get_schedule_cursor (store, flow_id, trigger_key, &last, &error));
  g_assert_no_error (error);
  return last;
}

/* A fire is claimed once; the claim moves the cursor forward, never back; set_cursor
 * never moves it back either; clearing forgets the cursors of one flow only. */
static void
test_schedule_claim (Fixture       *fixture,
                     gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  DecaStore *store = open_store (fixture);
  g_autofree char *owner = NULL;
  guint deleted = 0;

  g_assert_cmpint (cursor (store, "f", "t"), ==, 0);
  g_assert_true (claim (store, "f", "t", 1000, "a"));
  g_assert_false (claim (store, "f", "t", 1000, "a"));
  g_assert_false (claim (store, "f", "t", 1000, "b"));
  g_assert_cmpint (cursor (store, "f", "t"), ==, 1000);
  /* Other fire times, triggers and flows are other fires. */
  g_assert_true (claim (store, "f", "t", 1060, "b"));
  g_assert_true (claim (store, "f", "u", 1000, "b"));
  g_assert_true (claim (store, "g", "t", 1000, NULL));
  g_assert_cmpint (cursor (store, "f", "t"), ==, 1060);
  /* A late claim of an older fire (a backlog) does not move the cursor back. */
  g_assert_true (claim (store, "f", "t", 900, "a"));
  g_assert_cmpint (cursor (store, "f", "t"), ==, 1060);
  owner = raw_query (fixture->path, "SELECT claimed_by FROM schedule_fires WHERE fire_at = 1060");
  g_assert_cmpstr (owner, ==, "b");

  g_assert_true (deca_store_set_schedule_cursor (store, "f", "t", 2000, &error));
  g_assert_no_error (error);
  g_assert_true (deca_store_set_schedule_cursor (store, "f", "t", 1500, &error));
  g_assert_cmpint (cursor (store, "f", "t"), ==, 2000);
  g_assert_true (deca_store_set_schedule_cursor (store, "h", "t", 30, &error));
  g_assert_cmpint (cursor (store, "h", "t"), ==, 30);

  g_assert_true (deca_store_clear_schedule_cursors (store, "f", &error));
  g_assert_no_error (error);
  g_assert_cmpint (cursor (store, "f", "t"), ==, 0);
  g_assert_cmpint (cursor (store, "f", "u"), ==, 0);
  g_assert_cmpint (cursor (store, "g", "t"), ==, 1000);
  /* Claims outlive the cursor: the fire is still taken. */
  g_assert_false (claim (store, "f", "t", 1000, "c"));

  g_assert_true (deca_store_prune_schedule_fires (store, 1000, &deleted, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (deleted, ==, 1);  /* only 900 */
  g_assert_true (claim (store, "f", "t", 900, "c"));
  g_assert_cmpint (raw_int (fixture->path, "SELECT count(*) FROM schedule_fires"), ==, 5);

  /* Inside a batch the claim is part of the batch: rolled back, it never happened. */
  g_assert_true (deca_store_begin (store, &error));
  g_assert_true (claim (store, "f", "t", 5000, "a"));
  deca_store_rollback (store);
  g_assert_true (claim (store, "f", "t", 5000, "b"));

  g_assert_finalize_object (store);
}

/* Two connections on one file: every fire goes to exactly one of them. */
static void
test_schedule_claim_two_connections (Fixture       *fixture,
                                     gconstpointer  data)
{
  DecaStore *a = open_store (fixture);
  DecaStore *b = open_store (fixture);
  guint won_a = 0, won_b = 0;

  for (gint64 t = 0; t < 50; t++)
    {
      /* Alternate who asks first, so neither wins by always being first. */
      DecaStore *first = t % 2 ? a : b;
      DecaStore *second = t % 2 ? b : a;
      gboolean one = claim (first, "flow", "cron", 1700000000 + t, "1");
      gboolean two = claim (second, "flow", "cron", 1700000000 + t, "2");

      g_assert_true (one != two);
      if ((one && first == a) || (two && second == a))
        won_a++;
      else
        won_b++;
    }
  g_assert_cmpuint (won_a, ==, 25);
  g_assert_cmpuint (won_b, ==, 25);
  g_assert_cmpint (cursor (a, "flow", "cron"), ==, 1700000049);
  g_assert_cmpint (cursor (b, "flow", "cron"), ==, 1700000049);

  g_assert_finalize_object (a);
  g_assert_finalize_object (b);
}

#define RACE_FIRES 500
#define RACE_THREADS 4

typedef struct {
  const char    *path;
  int            index;
  gint          *ready;        /* threads that opened their store */
  gboolean      *won;          /* [RACE_THREADS][RACE_FIRES] */
} RaceThread;

/* Opens its own store (a DecaStore belongs to one thread), waits until every thread has
 * one, then claims every fire. */
static gpointer
race_thread_main (gpointer data)
{
  RaceThread *race = data;
  g_autoptr(DecaStore) store = NULL;
  g_autofree char *owner = g_strdup_printf ("thread-%d", race->index);
  GError *error = NULL;

  store = deca_store_open (race->path, &error);
  g_assert_no_error (error);
  g_atomic_int_inc (race->ready);
  while (g_atomic_int_get (race->ready) < RACE_THREADS)
    g_thread_yield ();

  for (int i = 0; i < RACE_FIRES; i++)
    {
      race->won[race->index * RACE_FIRES + i] =
        deca_store_claim_schedule_fire (store, "flow", "cron", 1700000000 + i, owner, &error);
      g_assert_no_error (error);
    }
  return NULL;
}

/* Threads with a connection each, racing for the same fires: each fire has exactly one
 * winner, and the store agrees with what the winners were told. */
static void
test_schedule_claim_threads (Fixture       *fixture,
                             gconstpointer  data)
{
  DecaStore *store = open_store (fixture);  /* creates the file before the race */
  RaceThread races[RACE_THREADS];
  GThread *threads[RACE_THREADS];
  gboolean won[RACE_THREADS * RACE_FIRES] = { 0 };
  gint ready = 0;

  for (int i = 0; i < RACE_THREADS; i++)
    {
      races[i] = (RaceThread) { fixture->path, i, &ready, won };
      threads[i] = g_thread_new ("race", race_thread_main, &races[i]);
    }
  for (int i = 0; i < RACE_THREADS; i++)
    g_thread_join (threads[i]);

  for (int f = 0; f < RACE_FIRES; f++)
    {
      int winners = 0;
      int winner = -1;
      g_autofree char *sql = g_strdup_printf ("SELECT claimed_by FROM schedule_fires"
                                              " WHERE fire_at = %d", 1700000000 + f);
      g_autofree char *owner = NULL;
      g_autofree char *expected = NULL;

      for (int t = 0; t < RACE_THREADS; t++)
        if (won[t * RACE_FIRES + f])
          {
            winners++;
            winner = t;
          }
      g_assert_cmpint (winners, ==, 1);
      owner = raw_query (fixture->path, sql);
      expected = g_strdup_printf ("thread-%d", winner);
      g_assert_cmpstr (owner, ==, expected);
    }
  g_assert_cmpint (cursor (store, "flow", "cron"), ==, 1700000000 + RACE_FIRES - 1);
  g_assert_finalize_object (store);
}

/* Asserts that @error is @code and clears it. */
#define assert_error_clear(error, code) \
  G_STMT_START { \
    g_assert_error ((error), DECA_ENGINE_ERROR, (code)); \
    g_clear_error (&(error)); \
  } G_STMT_END

static void
create_workspace (DecaStore  *store,
                  const char *id)
{
  g_autoptr(GError) error = NULL;

  g_assert_true (deca_store_create_workspace (store, id, id, &error));
  g_assert_no_error (error);
}

/* Workspaces */

static void
test_workspaces (Fixture       *fixture,
                 gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  DecaStore *store = open_store (fixture);
  g_autoptr(GPtrArray) list = NULL;
  g_autoptr(DecaWorkspaceRecord) acme = NULL;

  g_assert_true (deca_store_create_workspace (store, "acme", "Acme Inc.", &error));
  g_assert_no_error (error);
  g_assert_false (deca_store_create_workspace (store, "acme", "Again", &error));
  assert_error_clear (error, DECA_ENGINE_ERROR_STATE);

  acme = deca_store_get_workspace (store, "acme", &error);
  g_assert_no_error (error);
  g_assert_cmpstr (acme->id, ==, "acme");
  g_assert_cmpstr (acme->name, ==, "Acme Inc.");
  g_assert_cmpint (acme->created_at, >, 0);
  g_assert_null (deca_store_get_workspace (store, "nope", &error));
  assert_error_clear (error, DECA_ENGINE_ERROR_NOT_FOUND);

  g_assert_true (deca_store_rename_workspace (store, "acme", "Acme", &error));
  g_assert_no_error (error);
  g_assert_false (deca_store_rename_workspace (store, "nope", "x", &error));
  assert_error_clear (error, DECA_ENGINE_ERROR_NOT_FOUND);

  list = deca_store_list_workspaces (store, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (list->len, ==, 2);
  g_assert_cmpstr (((DecaWorkspaceRecord *) list->pdata[0])->id, ==, "acme");
  g_assert_cmpstr (((DecaWorkspaceRecord *) list->pdata[0])->name, ==, "Acme");
  g_assert_cmpstr (((DecaWorkspaceRecord *) list->pdata[1])->id, ==, DECA_WORKSPACE_LOCAL);
  g_assert_finalize_object (store);
}

/* Users and members */

static void
test_members (Fixture       *fixture,
              gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  DecaStore *store = open_store (fixture);
  g_autoptr(GPtrArray) members = NULL;
  g_autoptr(GPtrArray) memberships = NULL;
  g_autoptr(DecaMemberRecord) member = NULL;
  DecaUserRecord *user;

  create_workspace (store, "a");
  create_workspace (store, "b");

  g_assert_true (deca_store_put_user (store, "auth0|ann", "Ann", &error));
  g_assert_no_error (error);
  g_assert_true (deca_store_put_user (store, "auth0|ann", NULL, &error));
  user = deca_store_get_user (store, "auth0|ann", &error);
  g_assert_no_error (error);
  g_assert_cmpstr (user->display_name, ==, "Ann");
  deca_user_record_free (user);
  g_assert_true (deca_store_put_user (store, "auth0|ann", "Ann B.", &error));
  user = deca_store_get_user (store, "auth0|ann", &error);
  g_assert_cmpstr (user->display_name, ==, "Ann B.");
  deca_user_record_free (user);
  g_assert_null (deca_store_get_user (store, "nobody", &error));
  assert_error_clear (error, DECA_ENGINE_ERROR_NOT_FOUND);

  g_assert_true (deca_store_set_member (store, "a", "auth0|ann", "owner", &error));
  g_assert_no_error (error);
  /* A user the store has not seen is created with the membership. */
  g_assert_true (deca_store_set_member (store, "a", "bob", "viewer", &error));
  g_assert_true (deca_store_set_member (store, "b", "bob", "developer", &error));
  user = deca_store_get_user (store, "bob", &error);
  g_assert_no_error (error);
  g_assert_null (user->display_name);
  deca_user_record_free (user);
  g_assert_true (deca_store_set_member (store, "a", "bob", "admin", &error));

  /* An unknown workspace changes nothing, not even the users. */
  g_assert_false (deca_store_set_member (store, "nope", "carl", "owner", &error));
  assert_error_clear (error, DECA_ENGINE_ERROR_NOT_FOUND);
  g_assert_null (deca_store_get_user (store, "carl", &error));
  assert_error_clear (error, DECA_ENGINE_ERROR_NOT_FOUND);

  member = deca_store_get_member (store, "a", "bob", &error);
  g_assert_no_error (error);
  g_assert_cmpstr (member->role, ==, "admin");
  g_assert_null (member->display_name);
  g_assert_null (deca_store_get_member (store, "b", "auth0|ann", &error));
  assert_error_clear (error, DECA_ENGINE_ERROR_NOT_FOUND);

  members = deca_store_list_members (store, "a", &error);
  g_assert_no_error (error);
  g_assert_cmpuint (members->len, ==, 2);
  g_assert_cmpstr (((DecaMemberRecord *) members->pdata[0])->user_id, ==, "auth0|ann");
  g_assert_cmpstr (((DecaMemberRecord *) members->pdata[1])->user_id, ==, "bob");
  /* Each member comes with its user's display name (read in the same query). */
  g_assert_cmpstr (((DecaMemberRecord *) members->pdata[0])->display_name, ==, "Ann B.");
  g_assert_null (((DecaMemberRecord *) members->pdata[1])->display_name);
  g_clear_pointer (&members, g_ptr_array_unref);
  g_assert_true (deca_store_put_user (store, "bob", "Bob", &error));
  memberships = deca_store_list_user_memberships (store, "bob", &error);
  g_assert_no_error (error);
  g_assert_cmpuint (memberships->len, ==, 2);
  g_assert_cmpstr (((DecaMemberRecord *) memberships->pdata[1])->workspace_id, ==, "b");
  g_assert_cmpstr (((DecaMemberRecord *) memberships->pdata[1])->role, ==, "developer");
  g_assert_cmpstr (((DecaMemberRecord *) memberships->pdata[0])->display_name, ==, "Bob");
  g_assert_cmpstr (((DecaMemberRecord *) memberships->pdata[1])->display_name, ==, "Bob");
  {
    g_autoptr(DecaMemberRecord) ann = deca_store_get_member (store, "a", "auth0|ann", &error);

    g_assert_no_error (error);
    g_assert_cmpstr (ann->display_name, ==, "Ann B.");
  }

  g_assert_false (deca_store_remove_member (store, "b", "auth0|ann", &error));
  assert_error_clear (error, DECA_ENGINE_ERROR_NOT_FOUND);
  g_assert_true (deca_store_remove_member (store, "a", "bob", &error));
  g_assert_no_error (error);
  members = deca_store_list_members (store, "a", &error);
  g_assert_cmpuint (members->len, ==, 1);
  g_clear_pointer (&members, g_ptr_array_unref);
  members = deca_store_list_members (store, "b", &error);
  g_assert_cmpuint (members->len, ==, 1);
  g_assert_finalize_object (store);
}

/* API keys */

static void
insert_key (DecaStore  *store,
            const char *workspace_id,
            const char *id,
            const char *hash)
{
  g_autoptr(GError) error = NULL;
  DecaApiKeyRecord key = {
    .id = (char *) id, .workspace_id = (char *) workspace_id, .name = (char *) "ci",
    .role = (char *) "executor", .scopes = (char *) "[\"execute:flows\"]",
    .secret_hash = (char *) hash,
  };

  g_assert_true (deca_store_insert_api_key (store, &key, &error));
  g_assert_no_error (error);
}

static void
test_api_keys (Fixture       *fixture,
               gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  DecaStore *store = open_store (fixture);
  g_autoptr(GPtrArray) keys = NULL;
  DecaApiKeyRecord *key;
  gint64 revoked_at;
  DecaApiKeyRecord dup = {
    .id = (char *) "k1", .workspace_id = (char *) "a", .name = (char *) "x",
    .role = (char *) "viewer", .secret_hash = (char *) "hash-secret-9",
  };

  create_workspace (store, "a");
  create_workspace (store, "b");
  insert_key (store, "a", "k1", "hash-1");
  insert_key (store, "a", "k2", "hash-2");
  insert_key (store, "b", "k3", "hash-3");

  g_assert_false (deca_store_insert_api_key (store, &dup, &error));
  assert_error_clear (error, DECA_ENGINE_ERROR_STATE);
  dup.id = (char *) "k9";
  dup.secret_hash = (char *) "hash-1";
  g_assert_false (deca_store_insert_api_key (store, &dup, &error));
  g_assert_error (error, DECA_ENGINE_ERROR, DECA_ENGINE_ERROR_STATE);
  /* A hash is as good as a secret: messages never carry it. */
  g_assert_null (strstr (error->message, "hash-1"));
  g_clear_error (&error);
  dup.workspace_id = (char *) "nope";
  dup.secret_hash = (char *) "hash-9";
  g_assert_false (deca_store_insert_api_key (store, &dup, &error));
  assert_error_clear (error, DECA_ENGINE_ERROR_NOT_FOUND);

  key = deca_store_get_api_key (store, "a", "k1", &error);
  g_assert_no_error (error);
  g_assert_cmpstr (key->workspace_id, ==, "a");
  g_assert_cmpstr (key->role, ==, "executor");
  g_assert_cmpstr (key->scopes, ==, "[\"execute:flows\"]");
  g_assert_cmpstr (key->secret_hash, ==, "hash-1");
  g_assert_cmpint (key->created_at, >, 0);
  g_assert_cmpint (key->last_used_at, ==, 0);
  g_assert_cmpint (key->revoked_at, ==, 0);
  deca_api_key_record_free (key);
  key = deca_store_get_api_key (store, NULL, "k3", &error);
  g_assert_no_error (error);
  g_assert_cmpstr (key->workspace_id, ==, "b");
  deca_api_key_record_free (key);
  g_assert_null (deca_store_get_api_key (store, "a", "k3", &error));
  assert_error_clear (error, DECA_ENGINE_ERROR_NOT_FOUND);

  key = deca_store_find_api_key_by_hash (store, "hash-2", &error);
  g_assert_no_error (error);
  g_assert_cmpstr (key->id, ==, "k2");
  deca_api_key_record_free (key);
  g_assert_null (deca_store_find_api_key_by_hash (store, "hash-x", &error));
  g_assert_error (error, DECA_ENGINE_ERROR, DECA_ENGINE_ERROR_NOT_FOUND);
  g_assert_null (strstr (error->message, "hash-x"));
  g_clear_error (&error);

  keys = deca_store_list_api_keys (store, "a", &error);
  g_assert_no_error (error);
  g_assert_cmpuint (keys->len, ==, 2);
  g_clear_pointer (&keys, g_ptr_array_unref);

  /* Workspace b cannot revoke a's key. */
  g_assert_false (deca_store_revoke_api_key (store, "b", "k1", &error));
  assert_error_clear (error, DECA_ENGINE_ERROR_NOT_FOUND);
  key = deca_store_get_api_key (store, "a", "k1", &error);
  g_assert_cmpint (key->revoked_at, ==, 0);
  deca_api_key_record_free (key);
  g_assert_true (deca_store_revoke_api_key (store, "a", "k1", &error));
  g_assert_no_error (error);
  key = deca_store_get_api_key (store, "a", "k1", &error);
  revoked_at = key->revoked_at;
  g_assert_cmpint (revoked_at, >, 0);
  deca_api_key_record_free (key);
  g_assert_true (deca_store_revoke_api_key (store, "a", "k1", &error));
  key = deca_store_get_api_key (store, "a", "k1", &error);
  g_assert_cmpint (key->revoked_at, ==, revoked_at);
  deca_api_key_record_free (key);

  g_assert_true (deca_store_touch_api_key (store, "k2", 5000, &error));
  g_assert_true (deca_store_touch_api_key (store, "k2", 4000, &error));
  g_assert_no_error (error);
  key = deca_store_get_api_key (store, "a", "k2", &error);
  g_assert_cmpint (key->last_used_at, ==, 5000);
  deca_api_key_record_free (key);
  g_assert_false (deca_store_touch_api_key (store, "k9", 0, &error));
  assert_error_clear (error, DECA_ENGINE_ERROR_NOT_FOUND);
  g_assert_finalize_object (store);
}

/* Credentials */

static void
insert_credential (DecaStore  *store,
                   const char *workspace_id,
                   const char *id,
                   const char *name,
                   GBytes     *ciphertext)
{
  g_autoptr(GError) error = NULL;
  DecaCredentialRecord record = {
    .id = (char *) id, .workspace_id = (char *) workspace_id, .name = (char *) name,
    .type = (char *) "bearer", .ciphertext = ciphertext, .key_id = (char *) "key-1",
  };

  g_assert_true (deca_store_insert_credential (store, &record, &error));
  g_assert_no_error (error);
}

static void
test_credentials (Fixture       *fixture,
                  gconstpointer  data)
{
  static const guint8 sealed[] = { 0x00, 0xff, 0x10, 0x00, 0x7f, 0x80 };
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) ciphertext = g_bytes_new_static (sealed, sizeof sealed);
  g_autoptr(GBytes) other = g_bytes_new_static ("\x01\x02", 2);
  g_autoptr(GBytes) rekeyed = g_bytes_new_static ("\x03\x04\x05", 3);
  DecaStore *store = open_store (fixture);
  g_autoptr(GPtrArray) list = NULL;
  DecaCredentialRecord *record;
  gint64 revision = 0;
  DecaCredentialRecord dup = {
    .id = (char *) "c9", .workspace_id = (char *) "a", .name = (char *) "github",
    .type = (char *) "bearer", .ciphertext = ciphertext, .key_id = (char *) "key-1",
  };

  create_workspace (store, "a");
  create_workspace (store, "b");
  insert_credential (store, "a", "c1", "github", ciphertext);
  insert_credential (store, "a", "c2", "slack", ciphertext);
  /* Names are unique per workspace, not across them. */
  insert_credential (store, "b", "c3", "github", other);

  g_assert_false (deca_store_insert_credential (store, &dup, &error));
  assert_error_clear (error, DECA_ENGINE_ERROR_STATE);
  dup.id = (char *) "c1";
  dup.name = (char *) "new";
  g_assert_false (deca_store_insert_credential (store, &dup, &error));
  assert_error_clear (error, DECA_ENGINE_ERROR_STATE);
  dup.id = (char *) "c8";
  dup.workspace_id = (char *) "nope";
  g_assert_false (deca_store_insert_credential (store, &dup, &error));
  assert_error_clear (error, DECA_ENGINE_ERROR_NOT_FOUND);

  record = deca_store_get_credential (store, "a", "c1", &error);
  g_assert_no_error (error);
  g_assert_true (g_bytes_equal (record->ciphertext, ciphertext));
  g_assert_cmpstr (record->type, ==, "bearer");
  g_assert_cmpstr (record->key_id, ==, "key-1");
  g_assert_cmpint (record->revision, ==, 1);
  g_assert_cmpint (record->created_at, >, 0);
  g_assert_cmpint (record->updated_at, ==, record->created_at);
  deca_credential_record_free (record);
  record = deca_store_get_credential_by_name (store, "b", "github", &error);
  g_assert_no_error (error);
  g_assert_cmpstr (record->id, ==, "c3");
  g_assert_true (g_bytes_equal (record->ciphertext, other));
  deca_credential_record_free (record);
  g_assert_null (deca_store_get_credential (store, "b", "c1", &error));
  assert_error_clear (error, DECA_ENGINE_ERROR_NOT_FOUND);
  g_assert_null (deca_store_get_credential_by_name (store, "b", "slack", &error));
  assert_error_clear (error, DECA_ENGINE_ERROR_NOT_FOUND);

  list = deca_store_list_credentials (store, "a", &error);
  g_assert_no_error (error);
  g_assert_cmpuint (list->len, ==, 2);
  g_assert_cmpstr (((DecaCredentialRecord *) list->pdata[0])->name, ==, "github");
  g_clear_pointer (&list, g_ptr_array_unref);
  list = deca_store_list_credentials (store, NULL, &error);
  g_assert_cmpuint (list->len, ==, 3);
  g_clear_pointer (&list, g_ptr_array_unref);

  /* Updates: from the right base revision only, within the workspace only. */
  g_assert_true (deca_store_update_credential (store, "a", "c1", NULL, NULL, other, "key-1",
                                               1, &revision, &error));
  g_assert_no_error (error);
  g_assert_cmpint (revision, ==, 2);
  g_assert_false (deca_store_update_credential (store, "a", "c1", NULL, NULL, ciphertext,
                                                "key-1", 1, NULL, &error));
  assert_error_clear (error, DECA_ENGINE_ERROR_STATE);
  g_assert_false (deca_store_update_credential (store, "b", "c1", NULL, NULL, ciphertext,
                                                "key-1", 0, NULL, &error));
  assert_error_clear (error, DECA_ENGINE_ERROR_NOT_FOUND);
  g_assert_false (deca_store_update_credential (store, "a", "c1", "slack", NULL, ciphertext,
                                                "key-1", 0, NULL, &error));
  assert_error_clear (error, DECA_ENGINE_ERROR_STATE);
  g_assert_true (deca_store_update_credential (store, "a", "c1", "gh", "oauth2", other,
                                               "key-1", 0, &revision, &error));
  g_assert_cmpint (revision, ==, 3);
  record = deca_store_get_credential (store, "a", "c1", &error);
  g_assert_cmpstr (record->name, ==, "gh");
  g_assert_cmpstr (record->type, ==, "oauth2");
  g_assert_true (g_bytes_equal (record->ciphertext, other));
  g_assert_cmpint (record->revision, ==, 3);
  deca_credential_record_free (record);

  /* Key rotation keeps the revision and refuses a credential under another key. */
  g_assert_true (deca_store_rekey_credential (store, "c1", "key-1", rekeyed, "key-2", &error));
  g_assert_no_error (error);
  g_assert_false (deca_store_rekey_credential (store, "c1", "key-1", ciphertext, "key-3",
                                               &error));
  assert_error_clear (error, DECA_ENGINE_ERROR_STATE);
  g_assert_false (deca_store_rekey_credential (store, "c7", "key-1", ciphertext, "key-3",
                                               &error));
  assert_error_clear (error, DECA_ENGINE_ERROR_NOT_FOUND);
  record = deca_store_get_credential (store, "a", "c1", &error);
  g_assert_cmpstr (record->key_id, ==, "key-2");
  g_assert_true (g_bytes_equal (record->ciphertext, rekeyed));
  g_assert_cmpint (record->revision, ==, 3);
  deca_credential_record_free (record);

  g_assert_false (deca_store_delete_credential (store, "b", "c1", &error));
  assert_error_clear (error, DECA_ENGINE_ERROR_NOT_FOUND);
  g_assert_true (deca_store_delete_credential (store, "a", "c1", &error));
  g_assert_no_error (error);
  g_assert_false (deca_store_delete_credential (store, "a", "c1", &error));
  assert_error_clear (error, DECA_ENGINE_ERROR_NOT_FOUND);
  g_assert_cmpint (raw_int (fixture->path, "SELECT count(*) FROM credentials"), ==, 2);
  g_assert_finalize_object (store);
}

/* The audit log */

static gint64
append_audit (DecaStore  *store,
              const char *workspace_id,
              const char *action,
              gint64      at)
{
  g_autoptr(GError) error = NULL;
  DecaAuditRecord record = {
    .at = at, .workspace_id = (char *) workspace_id, .actor = (char *) "user:ann",
    .action = (char *) action, .target = (char *) "flow:f1", .source = (char *) "127.0.0.1",
    .result = (char *) "ok", .details = (char *) "{\"version\":2}",
  };
  gint64 id = 0;

  g_assert_true (deca_store_append_audit (store, &record, &id, &error));
  g_assert_no_error (error);
  g_assert_cmpint (id, >, 0);
  return id;
}

static void
test_audit (Fixture       *fixture,
            gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  DecaStore *store = open_store (fixture);
  g_autoptr(GPtrArray) page = NULL;
  gint64 ids[5];
  DecaAuditRecord *line;
  guint deleted = 0;

  for (int i = 0; i < 5; i++)
    ids[i] = append_audit (store, i == 2 ? "b" : "a", "flow.update", 1000 * (i + 1));
  for (int i = 1; i < 5; i++)
    g_assert_cmpint (ids[i], >, ids[i - 1]);

  page = deca_store_list_audit (store, "a", 0, 2, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (page->len, ==, 2);
  line = page->pdata[0];
  g_assert_cmpint (line->id, ==, ids[4]);
  g_assert_cmpint (line->at, ==, 5000);
  g_assert_cmpstr (line->workspace_id, ==, "a");
  g_assert_cmpstr (line->actor, ==, "user:ann");
  g_assert_cmpstr (line->action, ==, "flow.update");
  g_assert_cmpstr (line->target, ==, "flow:f1");
  g_assert_cmpstr (line->source, ==, "127.0.0.1");
  g_assert_cmpstr (line->result, ==, "ok");
  g_assert_cmpstr (line->details, ==, "{\"version\":2}");
  g_assert_cmpint (((DecaAuditRecord *) page->pdata[1])->id, ==, ids[3]);
  g_clear_pointer (&page, g_ptr_array_unref);
  /* The next page skips b's line. */
  page = deca_store_list_audit (store, "a", ids[3], 0, &error);
  g_assert_cmpuint (page->len, ==, 2);
  g_assert_cmpint (((DecaAuditRecord *) page->pdata[0])->id, ==, ids[1]);
  g_assert_cmpint (((DecaAuditRecord *) page->pdata[1])->id, ==, ids[0]);
  g_clear_pointer (&page, g_ptr_array_unref);

  /* Append-only: even a raw connection cannot rewrite a line. */
  g_assert_cmpint (sqlite3_exec (_deca_store_get_db (store),
                                 "UPDATE audit_log SET result = 'forged'", NULL, NULL, NULL),
                   ==, SQLITE_CONSTRAINT_TRIGGER);

  g_assert_true (deca_store_prune_audit (store, 3000, &deleted, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (deleted, ==, 2);
  page = deca_store_list_audit (store, "a", 0, 0, &error);
  g_assert_cmpuint (page->len, ==, 2);
  g_clear_pointer (&page, g_ptr_array_unref);
  page = deca_store_list_audit (store, "b", 0, 0, &error);
  g_assert_cmpuint (page->len, ==, 1);
  /* An at of 0 is now. */
  g_clear_pointer (&page, g_ptr_array_unref);
  append_audit (store, NULL, "server.start", 0);
  page = deca_store_list_audit (store, NULL, 0, 0, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (page->len, ==, 1);
  line = page->pdata[0];
  g_assert_null (line->workspace_id);
  g_assert_cmpstr (line->action, ==, "server.start");
  g_assert_cmpint (line->at, >, 1000000000000000);
  g_assert_finalize_object (store);
}

static DecaAuditRecord *
queued_line (const char *action)
{
  DecaAuditRecord *record = g_new0 (DecaAuditRecord, 1);

  record->workspace_id = g_strdup ("a");
  record->actor = g_strdup ("webhook");
  record->action = g_strdup (action);
  record->source = g_strdup ("127.0.0.1");
  record->result = g_strdup ("ok");
  return record;
}

/* Queued lines cost no transaction of their own: the next outermost commit writes them
 * (the executor's batch, in a server), a rolled-back batch loses none of them, a flush
 * writes what no batch took, and a read of the log or closing the store flushes first. */
static void
test_audit_queue (Fixture       *fixture,
                  gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  DecaStore *store = open_store (fixture);
  g_autoptr(GPtrArray) page = NULL;

  g_assert_cmpuint (deca_store_queue_audit (store, queued_line ("webhook.execute")), ==, 1);
  g_assert_cmpuint (deca_store_queue_audit (store, queued_line ("webhook.refused")), ==, 2);
  g_assert_cmpint (raw_int (fixture->path, "SELECT count(*) FROM audit_log"), ==, 0);

  /* A rolled-back batch writes nothing; the lines wait for the next one. */
  g_assert_true (deca_store_begin (store, &error));
  deca_store_rollback (store);
  g_assert_cmpint (raw_int (fixture->path, "SELECT count(*) FROM audit_log"), ==, 0);

  /* An inner commit does not write them, the outermost does, in its transaction. */
  g_assert_true (deca_store_begin (store, &error));
  g_assert_true (deca_store_begin (store, &error));
  g_assert_true (deca_store_commit (store, &error));
  g_assert_cmpint (raw_int (fixture->path, "SELECT count(*) FROM audit_log"), ==, 0);
  g_assert_true (deca_store_commit (store, &error));
  g_assert_no_error (error);
  g_assert_cmpint (raw_int (fixture->path, "SELECT count(*) FROM audit_log"), ==, 2);
  g_assert_cmpint (raw_int (fixture->path, "SELECT count(*) FROM audit_log WHERE at > 1000000000000000"), ==, 2);

  /* A flush with nothing queued writes nothing; with a line, that line. */
  g_assert_true (deca_store_flush_audit (store, &error));
  g_assert_cmpint (raw_int (fixture->path, "SELECT count(*) FROM audit_log"), ==, 2);
  deca_store_queue_audit (store, queued_line ("flushed"));
  g_assert_true (deca_store_flush_audit (store, &error));
  g_assert_no_error (error);
  g_assert_cmpint (raw_int (fixture->path, "SELECT count(*) FROM audit_log WHERE action = 'flushed'"), ==, 1);

  /* Reading the log shows the queued lines. */
  deca_store_queue_audit (store, queued_line ("read"));
  page = deca_store_list_audit (store, "a", 0, 1, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (page->len, ==, 1);
  g_assert_cmpstr (((DecaAuditRecord *) page->pdata[0])->action, ==, "read");

  /* Closing the store writes the rest. */
  deca_store_queue_audit (store, queued_line ("closed"));
  g_assert_finalize_object (store);
  g_assert_cmpint (raw_int (fixture->path, "SELECT count(*) FROM audit_log WHERE action = 'closed'"), ==, 1);
  g_assert_cmpint (raw_int (fixture->path, "SELECT count(*) FROM audit_log"), ==, 5);
}

/* Published events */

static gint64
publish (DecaStore  *store,
         const char *workspace_id,
         const char *topic,
         gint64      at)
{
  g_autoptr(GError) error = NULL;
  DecaTopicEventRecord record = {
    .workspace_id = (char *) workspace_id, .topic = (char *) topic,
    .payload = (char *) "{\"n\":1}", .published_at = at, .source = (char *) "api",
  };
  gint64 id = 0;

  g_assert_true (deca_store_append_topic_event (store, &record, &id, &error));
  g_assert_no_error (error);
  return id;
}

static void
test_topic_events (Fixture       *fixture,
                   gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  DecaStore *store = open_store (fixture);
  g_autoptr(GPtrArray) page = NULL;
  DecaTopicEventRecord *event;
  DecaTopicEventRecord bad = {
    .workspace_id = (char *) "nope", .topic = (char *) "x", .payload = (char *) "{}",
  };
  gint64 ids[4];
  gint64 later;
  guint deleted = 0;

  create_workspace (store, "a");
  create_workspace (store, "b");
  ids[0] = publish (store, "a", "crm.contact.created", 100);
  ids[1] = publish (store, "b", "crm.contact.created", 200);
  ids[2] = publish (store, "a", "crm.contact.updated", 300);
  ids[3] = publish (store, "a", "billing.paid", 400);

  page = deca_store_list_topic_events (store, "a", 0, 2, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (page->len, ==, 2);
  event = page->pdata[0];
  g_assert_cmpint (event->id, ==, ids[0]);
  g_assert_cmpstr (event->workspace_id, ==, "a");
  g_assert_cmpstr (event->topic, ==, "crm.contact.created");
  g_assert_cmpstr (event->payload, ==, "{\"n\":1}");
  g_assert_cmpint (event->published_at, ==, 100);
  g_assert_cmpstr (event->source, ==, "api");
  g_assert_cmpint (((DecaTopicEventRecord *) page->pdata[1])->id, ==, ids[2]);
  g_clear_pointer (&page, g_ptr_array_unref);
  page = deca_store_list_topic_events (store, "a", ids[2], 0, &error);
  g_assert_cmpuint (page->len, ==, 1);
  g_assert_cmpint (((DecaTopicEventRecord *) page->pdata[0])->id, ==, ids[3]);
  g_clear_pointer (&page, g_ptr_array_unref);
  page = deca_store_list_topic_events (store, "b", 0, 0, &error);
  g_assert_cmpuint (page->len, ==, 1);
  g_clear_pointer (&page, g_ptr_array_unref);

  g_assert_false (deca_store_append_topic_event (store, &bad, NULL, &error));
  assert_error_clear (error, DECA_ENGINE_ERROR_NOT_FOUND);

  /* Pruning the newest does not hand its id out again: a replay cursor stays valid. */
  g_assert_true (deca_store_prune_topic_events (store, 1000, &deleted, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (deleted, ==, 4);
  later = publish (store, "a", "crm.contact.created", 0);
  g_assert_cmpint (later, >, ids[3]);
  g_assert_finalize_object (store);
}

/* Flows and executions within workspaces */

static gint64
save_in (DecaStore  *store,
         const char *workspace_id,
         const char *flow_id,
         const char *document)
{
  g_autoptr(GError) error = NULL;
  gint64 version = 0;

  g_assert_true (deca_store_save_workspace_flow (store, workspace_id, flow_id, NULL, document,
                                                 &version, &error));
  g_assert_no_error (error);
  return version;
}

/* Nothing of workspace a is visible or changeable through workspace b. */
static void
test_flow_isolation (Fixture       *fixture,
                     gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  DecaStore *store = open_store (fixture);
  g_autoptr(GPtrArray) list = NULL;
  g_autoptr(DecaFlowSummary) summary = NULL;
  g_autofree char *document = NULL;
  gint64 version = 0;

  create_workspace (store, "a");
  create_workspace (store, "b");
  g_assert_cmpint (save_in (store, "a", "fa", "{\"name\":\"A1\"}"), ==, 1);
  g_assert_cmpint (save_in (store, "a", "fa", "{\"name\":\"A2\"}"), ==, 2);
  g_assert_cmpint (save_in (store, "b", "fb", "{\"name\":\"B1\"}"), ==, 1);
  /* The studio's API saves into "local". */
  g_assert_true (deca_store_save_flow (store, "fl", "L", "{}", NULL, &error));

  list = deca_store_list_workspace_flow_summaries (store, "b", &error);
  g_assert_no_error (error);
  g_assert_cmpuint (list->len, ==, 1);
  g_assert_cmpstr (((DecaFlowSummary *) list->pdata[0])->id, ==, "fb");
  g_assert_cmpstr (((DecaFlowSummary *) list->pdata[0])->workspace_id, ==, "b");
  g_clear_pointer (&list, g_ptr_array_unref);
  list = deca_store_list_workspace_flow_summaries (store, DECA_WORKSPACE_LOCAL, &error);
  g_assert_cmpuint (list->len, ==, 1);
  g_assert_cmpstr (((DecaFlowSummary *) list->pdata[0])->id, ==, "fl");
  g_clear_pointer (&list, g_ptr_array_unref);

  g_assert_null (deca_store_load_workspace_flow (store, "b", "fa", 0, NULL, &error));
  assert_error_clear (error, DECA_ENGINE_ERROR_NOT_FOUND);
  g_assert_null (deca_store_load_workspace_flow (store, "b", "fa", 1, NULL, &error));
  assert_error_clear (error, DECA_ENGINE_ERROR_NOT_FOUND);
  g_assert_null (deca_store_get_workspace_flow (store, "b", "fa", &error));
  assert_error_clear (error, DECA_ENGINE_ERROR_NOT_FOUND);
  g_assert_null (deca_store_list_workspace_flow_versions (store, "b", "fa", &error));
  assert_error_clear (error, DECA_ENGINE_ERROR_NOT_FOUND);
  g_assert_false (deca_store_set_workspace_flow_deleted (store, "b", "fa", TRUE, &error));
  assert_error_clear (error, DECA_ENGINE_ERROR_NOT_FOUND);
  g_assert_false (deca_store_set_workspace_flow_active (store, "b", "fa", TRUE, &error));
  assert_error_clear (error, DECA_ENGINE_ERROR_NOT_FOUND);
  /* Saving under a's id from b is refused and changes nothing of a's flow. */
  g_assert_false (deca_store_save_workspace_flow (store, "b", "fa", "Mine", "{\"x\":1}", NULL,
                                                  &error));
  assert_error_clear (error, DECA_ENGINE_ERROR_STATE);
  g_assert_false (deca_store_save_workspace_flow (store, "nope", "fn", NULL, "{}", NULL,
                                                  &error));
  assert_error_clear (error, DECA_ENGINE_ERROR_NOT_FOUND);
  g_assert_null (deca_store_load_flow (store, "fn", 0, NULL, &error));
  assert_error_clear (error, DECA_ENGINE_ERROR_NOT_FOUND);

  document = deca_store_load_workspace_flow (store, "a", "fa", 0, &version, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (document, ==, "{\"name\":\"A2\"}");
  g_assert_cmpint (version, ==, 2);
  g_clear_pointer (&document, g_free);
  document = deca_store_load_workspace_flow (store, "a", "fa", 1, &version, &error);
  g_assert_cmpstr (document, ==, "{\"name\":\"A1\"}");
  g_clear_pointer (&document, g_free);
  list = deca_store_list_workspace_flow_versions (store, "a", "fa", &error);
  g_assert_no_error (error);
  g_assert_cmpuint (list->len, ==, 2);
  g_clear_pointer (&list, g_ptr_array_unref);
  summary = deca_store_get_workspace_flow (store, "a", "fa", &error);
  g_assert_no_error (error);
  g_assert_cmpint (summary->latest_version, ==, 2);
  g_assert_cmpstr (summary->document_name, ==, "A2");
  g_assert_false (summary->active);
  g_clear_pointer (&summary, deca_flow_summary_free);

  /* Activation, and the dispatchers' list across workspaces. */
  g_assert_true (deca_store_set_workspace_flow_active (store, "a", "fa", TRUE, &error));
  g_assert_true (deca_store_set_workspace_flow_active (store, "b", "fb", TRUE, &error));
  g_assert_no_error (error);
  list = deca_store_list_active_flows (store, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (list->len, ==, 2);
  g_assert_cmpstr (((DecaFlowSummary *) list->pdata[0])->id, ==, "fa");
  g_assert_true (((DecaFlowSummary *) list->pdata[0])->active);
  g_clear_pointer (&list, g_ptr_array_unref);
  list = deca_store_list_active_flows (store, "b", &error);
  g_assert_cmpuint (list->len, ==, 1);
  g_assert_cmpstr (((DecaFlowSummary *) list->pdata[0])->id, ==, "fb");
  g_clear_pointer (&list, g_ptr_array_unref);

  /* Deleting hides and deactivates; undeleting brings it back inactive. */
  g_assert_true (deca_store_set_workspace_flow_deleted (store, "a", "fa", TRUE, &error));
  g_assert_no_error (error);
  g_assert_null (deca_store_load_workspace_flow (store, "a", "fa", 0, NULL, &error));
  assert_error_clear (error, DECA_ENGINE_ERROR_NOT_FOUND);
  g_assert_false (deca_store_set_workspace_flow_active (store, "a", "fa", TRUE, &error));
  assert_error_clear (error, DECA_ENGINE_ERROR_NOT_FOUND);
  list = deca_store_list_active_flows (store, NULL, &error);
  g_assert_cmpuint (list->len, ==, 1);
  g_clear_pointer (&list, g_ptr_array_unref);
  /* The executor still loads it by id (resume, subflows). */
  document = deca_store_load_flow (store, "fa", 2, NULL, &error);
  g_assert_no_error (error);
  g_clear_pointer (&document, g_free);
  g_assert_true (deca_store_set_workspace_flow_deleted (store, "a", "fa", FALSE, &error));
  summary = deca_store_get_workspace_flow (store, "a", "fa", &error);
  g_assert_no_error (error);
  g_assert_false (summary->active);

  /* An unscoped save of an existing flow keeps its workspace. */
  g_assert_true (deca_store_save_flow (store, "fb", NULL, "{\"name\":\"B2\"}", NULL, &error));
  g_clear_pointer (&summary, deca_flow_summary_free);
  summary = deca_store_get_workspace_flow (store, "b", "fb", &error);
  g_assert_no_error (error);
  g_assert_cmpint (summary->latest_version, ==, 2);
  g_assert_finalize_object (store);
}

/* Inserts a finished (or @status) execution @id of @flow_id created at @created_at,
 * with @results node results and as many events; @workspace_id NULL = the flow's. */
static void
add_execution (DecaStore  *store,
               const char *workspace_id,
               const char *id,
               const char *flow_id,
               const char *status,
               gint64      created_at,
               int         results)
{
  g_autoptr(GError) error = NULL;
  DecaExecutionRecord record = {
    .id = (char *) id, .flow_id = (char *) flow_id, .flow_version = 1,
    .status = (char *) status, .input = (char *) "{}", .created_at = created_at,
    .finished_at = g_str_equal (status, DECA_STATUS_RUNNING) ? 0 : created_at + 10,
    .workspace_id = (char *) workspace_id,
  };

  g_assert_true (deca_store_begin (store, &error));
  g_assert_true (deca_store_insert_execution (store, &record, &error));
  g_assert_no_error (error);
  for (int i = 0; i < results; i++)
    {
      g_autofree char *key = g_strdup_printf ("n%d", i);
      DecaNodeResultRecord result = {
        .execution_id = (char *) id, .node_key = key, .node_id = key,
        .status = (char *) DECA_STATUS_SUCCEEDED, .output = (char *) "{\"ok\":true}",
        .attempts = 1, .event_seq = i + 1,
      };
      DecaEventRecord event = {
        .execution_id = (char *) id, .seq = i + 1, .type = (char *) "node.started",
        .time = created_at, .payload = (char *) "{}",
      };

      g_assert_true (deca_store_put_node_result (store, &result, &error));
      g_assert_true (deca_store_append_event (store, &event, &error));
      g_assert_no_error (error);
    }
  g_assert_true (deca_store_commit (store, &error));
  g_assert_no_error (error);
}

static void
test_execution_isolation (Fixture       *fixture,
                          gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  DecaStore *store = open_store (fixture);
  g_autoptr(GPtrArray) page = NULL;
  g_autoptr(DecaExecutionRecord) record = NULL;

  create_workspace (store, "a");
  create_workspace (store, "b");
  save_in (store, "a", "fa", "{}");
  save_in (store, "b", "fb", "{}");
  /* The executor knows nothing of workspaces: the flow's is taken. */
  add_execution (store, NULL, "e1", "fa", DECA_STATUS_SUCCEEDED, 100, 1);
  add_execution (store, NULL, "e2", "fb", DECA_STATUS_SUCCEEDED, 200, 1);
  add_execution (store, NULL, "e3", "fa", DECA_STATUS_FAILED, 300, 1);
  add_execution (store, NULL, "e4", "fa", DECA_STATUS_SUCCEEDED, 300, 1);
  add_execution (store, NULL, "e5", "unsaved", DECA_STATUS_SUCCEEDED, 400, 0);
  add_execution (store, "b", "e6", "unsaved", DECA_STATUS_SUCCEEDED, 500, 0);

  record = deca_store_get_execution (store, "e2", &error);
  g_assert_cmpstr (record->workspace_id, ==, "b");
  g_clear_pointer (&record, deca_execution_record_free);
  record = deca_store_get_execution (store, "e5", &error);
  g_assert_cmpstr (record->workspace_id, ==, DECA_WORKSPACE_LOCAL);
  g_clear_pointer (&record, deca_execution_record_free);
  record = deca_store_get_workspace_execution (store, "b", "e6", &error);
  g_assert_no_error (error);
  g_clear_pointer (&record, deca_execution_record_free);
  g_assert_null (deca_store_get_workspace_execution (store, "b", "e1", &error));
  assert_error_clear (error, DECA_ENGINE_ERROR_NOT_FOUND);

  /* Newest first, same created_at in insertion order reversed, in pages. */
  page = deca_store_list_workspace_executions (store, "a", NULL, NULL, NULL, NULL, 2, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (page->len, ==, 2);
  g_assert_cmpstr (((DecaExecutionRecord *) page->pdata[0])->id, ==, "e4");
  g_assert_cmpstr (((DecaExecutionRecord *) page->pdata[1])->id, ==, "e3");
  g_clear_pointer (&page, g_ptr_array_unref);
  page = deca_store_list_workspace_executions (store, "a", NULL, NULL, NULL, "e3", 2, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (page->len, ==, 1);
  g_assert_cmpstr (((DecaExecutionRecord *) page->pdata[0])->id, ==, "e1");
  g_clear_pointer (&page, g_ptr_array_unref);
  page = deca_store_list_workspace_executions (store, "a", DECA_STATUS_SUCCEEDED, "fa", NULL, NULL,
                                               0, &error);
  g_assert_cmpuint (page->len, ==, 2);
  g_clear_pointer (&page, g_ptr_array_unref);
  /* A cursor from another workspace is not a cursor. */
  g_assert_null (deca_store_list_workspace_executions (store, "a", NULL, NULL, NULL, "e2", 0,
                                                       &error));
  assert_error_clear (error, DECA_ENGINE_ERROR_NOT_FOUND);
  page = deca_store_list_workspace_executions (store, "b", NULL, NULL, NULL, NULL, 0, &error);
  g_assert_cmpuint (page->len, ==, 2);
  g_assert_finalize_object (store);
}

/* Retention */

static gint64
count_orphans (const char *path)
{
  return raw_int (path, "SELECT (SELECT count(*) FROM node_results WHERE execution_pk NOT IN"
                        " (SELECT pk FROM executions))"
                        " + (SELECT count(*) FROM events WHERE execution_pk NOT IN"
                        " (SELECT pk FROM executions))"
                        " + (SELECT count(*) FROM approvals WHERE execution_id NOT IN"
                        " (SELECT id FROM executions))");
}

static gboolean
has_execution_row (const char *path,
                   const char *id)
{
  g_autofree char *sql = g_strdup_printf ("SELECT count(*) FROM executions WHERE id = '%s'", id);

  return raw_int (path, sql) == 1;
}

static void
test_prune_executions (Fixture       *fixture,
                       gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  DecaStore *store = open_store (fixture);
  g_autoptr(GPtrArray) left = NULL;
  guint deleted = 0;
  DecaApprovalRecord approval = {
    .execution_id = (char *) "a-00", .node_key = (char *) "n0", .approved = TRUE,
  };

  create_workspace (store, "a");
  create_workspace (store, "b");
  for (int i = 0; i < 10; i++)
    {
      g_autofree char *ida = g_strdup_printf ("a-%02d", i);
      g_autofree char *idb = g_strdup_printf ("b-%02d", i);

      add_execution (store, "a", ida, "f", i % 3 ? DECA_STATUS_SUCCEEDED : DECA_STATUS_FAILED,
                     1000 + i * 100, 3);
      add_execution (store, "b", idb, "f", DECA_STATUS_CANCELLED, 1000 + i * 100, 2);
    }
  /* Unfinished executions are never pruned, however old, and do not count. */
  add_execution (store, "a", "a-running", "f", DECA_STATUS_RUNNING, 1, 2);
  add_execution (store, "a", "a-paused", "f", DECA_STATUS_PAUSED, 2, 2);
  g_assert_true (deca_store_put_approval (store, &approval, &error));
  g_assert_no_error (error);

  /* Workspace a only: keep its newest 4. */
  g_assert_true (deca_store_prune_executions (store, "a", 0, 4, &deleted, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (deleted, ==, 6);
  left = deca_store_list_workspace_executions (store, "a", NULL, NULL, NULL, NULL, 0, &error);
  g_assert_cmpuint (left->len, ==, 6);
  for (guint i = 0; i < 4; i++)
    {
      g_autofree char *id = g_strdup_printf ("a-%02d", 9 - i);

      g_assert_cmpstr (((DecaExecutionRecord *) left->pdata[i])->id, ==, id);
    }
  g_assert_cmpstr (((DecaExecutionRecord *) left->pdata[4])->id, ==, "a-paused");
  g_assert_cmpstr (((DecaExecutionRecord *) left->pdata[5])->id, ==, "a-running");
  g_clear_pointer (&left, g_ptr_array_unref);
  /* Nothing half-deleted: the kept keep all their rows, the pruned left none behind. */
  g_assert_cmpint (count_orphans (fixture->path), ==, 0);
  g_assert_cmpint (raw_int (fixture->path, "SELECT count(*) FROM node_results"), ==,
                   4 * 3 + 2 * 2 + 10 * 2);
  g_assert_cmpint (raw_int (fixture->path, "SELECT count(*) FROM events"), ==,
                   4 * 3 + 2 * 2 + 10 * 2);
  g_assert_cmpint (raw_int (fixture->path, "SELECT count(*) FROM approvals"), ==, 0);
  left = deca_store_list_workspace_executions (store, "b", NULL, NULL, NULL, NULL, 0, &error);
  g_assert_cmpuint (left->len, ==, 10);
  g_clear_pointer (&left, g_ptr_array_unref);

  /* By age, every workspace: finished before 1500 (created_at + 10). */
  g_assert_true (deca_store_prune_executions (store, NULL, 1500, 0, &deleted, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (deleted, ==, 5);  /* b-00 .. b-04 */
  left = deca_store_list_workspace_executions (store, "b", NULL, NULL, NULL, NULL, 0, &error);
  g_assert_cmpuint (left->len, ==, 5);
  g_assert_cmpstr (((DecaExecutionRecord *) left->pdata[4])->id, ==, "b-05");
  g_clear_pointer (&left, g_ptr_array_unref);

  /* Both limits at once, each workspace keeping its own newest one. By age (finished
   * before 1750) a-06, a-07, b-05, b-06, b-07 go; by count a-08 and b-08. */
  g_assert_true (deca_store_prune_executions (store, NULL, 1750, 1, &deleted, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (deleted, ==, 7);
  left = deca_store_list_workspace_executions (store, "a", NULL, NULL, NULL, NULL, 0, &error);
  g_assert_cmpuint (left->len, ==, 3);
  g_assert_cmpstr (((DecaExecutionRecord *) left->pdata[0])->id, ==, "a-09");
  g_assert_cmpstr (((DecaExecutionRecord *) left->pdata[1])->id, ==, "a-paused");
  g_clear_pointer (&left, g_ptr_array_unref);
  left = deca_store_list_workspace_executions (store, "b", NULL, NULL, NULL, NULL, 0, &error);
  g_assert_cmpuint (left->len, ==, 1);
  g_assert_cmpstr (((DecaExecutionRecord *) left->pdata[0])->id, ==, "b-09");
  g_clear_pointer (&left, g_ptr_array_unref);
  g_assert_cmpint (count_orphans (fixture->path), ==, 0);

  /* A prune that fails half-way changes nothing: the age part deletes a-older, then the
   * count part fails on a result of a-old. */
  add_execution (store, "a", "a-old", "f", DECA_STATUS_SUCCEEDED, 50, 1);
  add_execution (store, "a", "a-older", "f", DECA_STATUS_SUCCEEDED, 40, 1);
  {
    /* By number: when the cascade deletes the result, its execution is gone already. */
    g_autofree char *trigger =
      g_strdup_printf ("CREATE TEMP TRIGGER refuse BEFORE DELETE ON node_results"
                       " WHEN old.execution_pk = %" G_GINT64_FORMAT
                       " BEGIN SELECT RAISE (ABORT, 'refused'); END;",
                       raw_int (fixture->path,
                                "SELECT pk FROM executions WHERE id = 'a-old'"));

    g_assert_cmpint (sqlite3_exec (_deca_store_get_db (store), trigger, NULL, NULL, NULL),
                     ==, SQLITE_OK);
  }
  {
    gint64 executions = raw_int (fixture->path, "SELECT count(*) FROM executions");
    gint64 results = raw_int (fixture->path, "SELECT count(*) FROM node_results");

    g_assert_false (deca_store_prune_executions (store, NULL, 45 + 10, 1, &deleted, &error));
    g_assert_error (error, DECA_ENGINE_ERROR, DECA_ENGINE_ERROR_STORE);
    g_assert_nonnull (strstr (error->message, "refused"));
    g_clear_error (&error);
    g_assert_cmpuint (deleted, ==, 0);
    g_assert_cmpint (raw_int (fixture->path, "SELECT count(*) FROM executions"), ==,
                     executions);
    g_assert_cmpint (raw_int (fixture->path, "SELECT count(*) FROM node_results"), ==,
                     results);
    g_assert_true (has_execution_row (fixture->path, "a-old"));
    g_assert_true (has_execution_row (fixture->path, "a-older"));
  }
  g_assert_cmpint (sqlite3_exec (_deca_store_get_db (store), "DROP TRIGGER temp.refuse",
                                 NULL, NULL, NULL), ==, SQLITE_OK);
  g_assert_true (deca_store_prune_executions (store, NULL, 0, 1, &deleted, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (deleted, ==, 2);
  g_assert_false (has_execution_row (fixture->path, "a-old"));

  /* A pruned execution's id is gone for writers too (no stale cached key). */
  {
    DecaNodeResultRecord result = {
      .execution_id = (char *) "a-00", .node_key = (char *) "late", .node_id = (char *) "late",
      .status = (char *) DECA_STATUS_SUCCEEDED,
    };

    g_assert_false (deca_store_put_node_result (store, &result, &error));
    assert_error_clear (error, DECA_ENGINE_ERROR_NOT_FOUND);
  }
  g_assert_finalize_object (store);
}

/* Backup */

static void
test_backup (Fixture       *fixture,
             gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *dest = g_build_filename (fixture->dir, "backup.db", NULL);
  DecaStore *store = open_store (fixture);
  DecaStore *copy;
  g_autofree char *document = NULL;
  g_autofree char *check = NULL;
  g_autoptr(GDir) dir = NULL;
  const char *name;

  create_workspace (store, "a");
  save_in (store, "a", "fa", "{\"name\":\"A\"}");
  add_execution (store, NULL, "e1", "fa", DECA_STATUS_SUCCEEDED, 100, 3);

  g_assert_true (deca_store_begin (store, &error));
  g_assert_false (deca_store_backup_to (store, dest, &error));
  assert_error_clear (error, DECA_ENGINE_ERROR_STATE);
  deca_store_rollback (store);
  g_assert_false (g_file_test (dest, G_FILE_TEST_EXISTS));

  g_assert_true (deca_store_backup_to (store, dest, &error));
  g_assert_no_error (error);
  g_assert_false (deca_store_backup_to (store, dest, &error));
  assert_error_clear (error, DECA_ENGINE_ERROR_STATE);
  /* No partial file is left beside it. */
  dir = g_dir_open (fixture->dir, 0, NULL);
  while ((name = g_dir_read_name (dir)))
    g_assert_null (strstr (name, "partial"));

  check = raw_query (dest, "PRAGMA integrity_check");
  g_assert_cmpstr (check, ==, "ok");
  copy = open_path (dest);
  document = deca_store_load_workspace_flow (copy, "a", "fa", 0, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (document, ==, "{\"name\":\"A\"}");
  g_assert_cmpint (raw_int (dest, "SELECT count(*) FROM node_results"), ==, 3);
  g_assert_finalize_object (copy);

  /* An in-memory store can be backed up as well. */
  {
    g_autofree char *dest2 = g_build_filename (fixture->dir, "memory.db", NULL);
    g_autoptr(DecaStore) memory = deca_store_open (":memory:", &error);

    g_assert_no_error (error);
    g_assert_true (deca_store_save_flow (memory, "m", NULL, "{}", NULL, &error));
    g_assert_true (deca_store_backup_to (memory, dest2, &error));
    g_assert_no_error (error);
    g_assert_cmpint (raw_int (dest2, "SELECT count(*) FROM flows"), ==, 1);
  }
  g_assert_finalize_object (store);
}

typedef struct {
  const char *path;
  gint        written;   /* executions committed so far */
  gint        stop;
} Writer;

/* Writes executions w-000000, w-000001, ... each with 5 node results in its own
 * transaction, until told to stop. */
static gpointer
writer_thread_main (gpointer data)
{
  Writer *writer = data;
  g_autoptr(DecaStore) store = NULL;
  GError *error = NULL;

  store = deca_store_open (writer->path, &error);
  g_assert_no_error (error);
  for (int i = 0; !g_atomic_int_get (&writer->stop) || i < 50; i++)
    {
      g_autofree char *id = g_strdup_printf ("w-%06d", i);

      add_execution (store, DECA_WORKSPACE_LOCAL, id, "f", DECA_STATUS_SUCCEEDED, 1000 + i, 5);
      g_atomic_int_set (&writer->written, i + 1);
    }
  return NULL;
}

/* A backup taken while another connection commits is a consistent database as of one
 * moment: executions 0..k-1 for some k, each with all its results. */
static void
test_backup_while_writing (Fixture       *fixture,
                           gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  DecaStore *store = open_store (fixture);
  Writer writer = { fixture->path, 0, 0 };
  GThread *thread;
  gint64 count, max_n, results, check_incomplete;
  g_autofree char *check = NULL;

  thread = g_thread_new ("writer", writer_thread_main, &writer);
  /* Take the backups mid-stream: after the writer got going, and while it goes on. */
  while (g_atomic_int_get (&writer.written) < 20)
    g_thread_yield ();
  for (int b = 0; b < 3; b++)
    {
      g_autofree char *dest = g_strdup_printf ("%s/backup-%d.db", fixture->dir, b);

      g_assert_true (deca_store_backup_to (store, dest, &error));
      g_assert_no_error (error);

      g_clear_pointer (&check, g_free);
      check = raw_query (dest, "PRAGMA integrity_check");
      g_assert_cmpstr (check, ==, "ok");
      count = raw_int (dest, "SELECT count(*) FROM executions");
      max_n = raw_int (dest, "SELECT coalesce (max (CAST (substr (id, 3) AS INTEGER)), -1)"
                             " FROM executions");
      results = raw_int (dest, "SELECT count(*) FROM node_results");
      check_incomplete = raw_int (dest, "SELECT count(*) FROM executions e WHERE"
                                        " (SELECT count(*) FROM node_results r"
                                        "  WHERE r.execution_pk = e.pk) != 5");
      g_assert_cmpint (count, >=, 20);
      /* A prefix: no gap, and no execution without its results. */
      g_assert_cmpint (max_n, ==, count - 1);
      g_assert_cmpint (results, ==, count * 5);
      g_assert_cmpint (check_incomplete, ==, 0);
      g_assert_cmpint (count_orphans (dest), ==, 0);
      g_test_message ("backup %d holds %" G_GINT64_FORMAT " executions", b, count);
    }
  g_atomic_int_set (&writer.stop, 1);
  g_thread_join (thread);
  g_assert_finalize_object (store);
}

/* The other process of test_schedule_claim_processes(): opens @path, says "ready",
 * waits for a line on stdin, claims every race fire as "child", last first, and prints
 * the index of each fire it won. Returns the exit status. */
static int
claim_child_main (const char *path)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(DecaStore) store = deca_store_open (path, &error);
  char line[16];

  if (store == NULL)
    {
      g_printerr ("%s\n", error->message);
      return 1;
    }
  printf ("ready\n");
  fflush (stdout);
  if (fgets (line, sizeof line, stdin) == NULL)
    return 1;
  /* From the last fire down while the parent goes up: they meet somewhere and contend
   * for the same fires there, rather than one of them winning everything by being
   * ahead. */
  for (int i = RACE_FIRES - 1; i >= 0; i--)
    {
      if (deca_store_claim_schedule_fire (store, "flow", "cron", 1700000000 + i, "child",
                                          &error))
        printf ("%d\n", i);
      else if (error != NULL)
        {
          g_printerr ("%s\n", error->message);
          return 1;
        }
    }
  return 0;
}

static const char *test_binary;

/* Two processes on one file, started together, claiming the same fires: each fire is
 * won by exactly one of them, and the store's claimed_by agrees. */
static void
test_schedule_claim_processes (Fixture       *fixture,
                               gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  DecaStore *store = open_store (fixture);
  g_autoptr(GSubprocess) child = NULL;
  g_autoptr(GDataInputStream) out = NULL;
  g_autofree char *ready = NULL;
  gboolean won_here[RACE_FIRES] = { 0 };
  gboolean won_there[RACE_FIRES] = { 0 };
  guint here = 0, there = 0;
  char *line;

  child = g_subprocess_new (G_SUBPROCESS_FLAGS_STDIN_PIPE | G_SUBPROCESS_FLAGS_STDOUT_PIPE,
                            &error, test_binary, "--claim-child", fixture->path, NULL);
  g_assert_no_error (error);
  out = g_data_input_stream_new (g_subprocess_get_stdout_pipe (child));
  ready = g_data_input_stream_read_line (out, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (ready, ==, "ready");
  g_assert_true (g_output_stream_write_all (g_subprocess_get_stdin_pipe (child), "go\n", 3,
                                            NULL, NULL, &error));
  g_assert_no_error (error);

  for (int i = 0; i < RACE_FIRES; i++)
    won_here[i] = claim (store, "flow", "cron", 1700000000 + i, "parent");
  while ((line = g_data_input_stream_read_line (out, NULL, NULL, &error)))
    {
      int i = atoi (line);

      g_assert_cmpint (i, >=, 0);
      g_assert_cmpint (i, <, RACE_FIRES);
      won_there[i] = TRUE;
      g_free (line);
    }
  g_assert_no_error (error);
  g_assert_true (g_subprocess_wait_check (child, NULL, &error));
  g_assert_no_error (error);

  for (int i = 0; i < RACE_FIRES; i++)
    {
      g_autofree char *sql = g_strdup_printf ("SELECT claimed_by FROM schedule_fires"
                                              " WHERE fire_at = %d", 1700000000 + i);
      g_autofree char *owner = raw_query (fixture->path, sql);

      g_assert_true (won_here[i] != won_there[i]);
      g_assert_cmpstr (owner, ==, won_here[i] ? "parent" : "child");
      here += won_here[i];
      there += won_there[i];
    }
  g_test_message ("parent won %u fires, child %u", here, there);
  g_assert_finalize_object (store);
}

/* Migration */

/* A database as a schema-4 build left it (flows, versions, an execution with results and
 * events) migrates to 5: everything lands in "local", the old API works unchanged, and
 * the server tables are there and empty. */
static void
test_migrate_from_4 (Fixture       *fixture,
                     gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  DecaStore *store = _deca_store_open_at_version (fixture->path, 4, &error);
  g_autoptr(GPtrArray) summaries = NULL;
  g_autoptr(GPtrArray) ids = NULL;
  g_autoptr(GPtrArray) results = NULL;
  g_autoptr(GPtrArray) events = NULL;
  g_autoptr(DecaExecutionRecord) execution = NULL;
  g_autoptr(DecaWorkspaceRecord) local = NULL;
  g_autofree char *document = NULL;
  g_autofree char *none = NULL;
  gint64 version = 0;
  static const char * const tables[] = {
    "workspaces", "users", "members", "api_keys", "credentials", "audit_log",
    "topic_events", "schedule_fires", "schedule_cursors",
  };

  g_assert_no_error (error);
  g_assert_cmpint (raw_int (fixture->path, "PRAGMA user_version"), ==, 4);
  none = raw_query (fixture->path, "SELECT name FROM sqlite_master WHERE name = 'workspaces'");
  g_assert_null (none);
  /* Written through the raw connection, the way schema 4 stored them. */
  {
    sqlite3 *db = _deca_store_get_db (store);

    g_assert_cmpint (sqlite3_exec (db,
      "INSERT INTO flows (id, name, latest_version, created_at, updated_at)"
      " VALUES ('old', 'Old', 2, 1, 2);"
      "INSERT INTO flow_versions (flow_id, version, document, content_hash, created_at, name)"
      " VALUES ('old', 1, '{\"id\":\"old\",\"name\":\"one\"}', 'h1', 1, 'one'),"
      "        ('old', 2, '{\"id\":\"old\",\"name\":\"two\"}', 'h2', 2, 'two');"
      "INSERT INTO executions (id, flow_id, flow_version, status, created_at)"
      " VALUES ('e-old', 'old', 2, 'succeeded', 3);"
      "INSERT INTO node_results (execution_pk, node_key, node_id, status, attempts)"
      " VALUES ((SELECT pk FROM executions WHERE id = 'e-old'), 'a', 'a', 'succeeded', 1);"
      "INSERT INTO events (execution_pk, seq, type, time, payload)"
      " VALUES ((SELECT pk FROM executions WHERE id = 'e-old'), 1, 'execution.started', 3, '{}');",
      NULL, NULL, NULL), ==, SQLITE_OK);
  }
  g_assert_finalize_object (store);

  store = open_store (fixture);
  g_assert_cmpint (deca_store_get_schema_version (store), ==, 6);
  g_assert_cmpint (raw_int (fixture->path, "PRAGMA user_version"), ==, 6);
  for (guint i = 0; i < G_N_ELEMENTS (tables); i++)
    {
      g_autofree char *sql = g_strdup_printf ("SELECT count(*) FROM %s", tables[i]);

      g_assert_cmpint (raw_int (fixture->path, sql), ==, g_str_equal (tables[i], "workspaces"));
    }

  local = deca_store_get_workspace (store, DECA_WORKSPACE_LOCAL, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (local->name, ==, "Local");
  g_assert_cmpint (local->created_at, >, 0);

  /* The old API, unchanged. */
  ids = deca_store_list_flows (store, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (ids->len, ==, 1);
  document = deca_store_load_flow (store, "old", 1, &version, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (document, ==, "{\"id\":\"old\",\"name\":\"one\"}");
  g_clear_pointer (&document, g_free);
  g_assert_true (deca_store_save_flow (store, "old", NULL, "{\"id\":\"old\",\"name\":\"three\"}",
                                       &version, &error));
  g_assert_no_error (error);
  g_assert_cmpint (version, ==, 3);
  summaries = deca_store_list_flow_summaries (store, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (summaries->len, ==, 1);
  {
    DecaFlowSummary *summary = g_ptr_array_index (summaries, 0);

    g_assert_cmpstr (summary->id, ==, "old");
    g_assert_cmpstr (summary->document_name, ==, "three");
    g_assert_cmpstr (summary->workspace_id, ==, DECA_WORKSPACE_LOCAL);
    g_assert_false (summary->active);
  }
  g_clear_pointer (&summaries, g_ptr_array_unref);
  execution = deca_store_get_execution (store, "e-old", &error);
  g_assert_no_error (error);
  g_assert_cmpstr (execution->workspace_id, ==, DECA_WORKSPACE_LOCAL);
  results = deca_store_list_node_results (store, "e-old", &error);
  g_assert_no_error (error);
  g_assert_cmpuint (results->len, ==, 1);
  events = deca_store_list_events (store, "e-old", 0, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (events->len, ==, 1);

  /* And the same flow through the workspace-scoped API of "local". */
  summaries = deca_store_list_workspace_flow_summaries (store, DECA_WORKSPACE_LOCAL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (summaries->len, ==, 1);
  document = deca_store_load_workspace_flow (store, DECA_WORKSPACE_LOCAL, "old", 0, &version,
                                             &error);
  g_assert_no_error (error);
  g_assert_cmpint (version, ==, 3);

  /* Versions stay immutable after the migration. */
  g_assert_cmpint (sqlite3_exec (_deca_store_get_db (store),
                                 "UPDATE flow_versions SET document = 'x'", NULL, NULL, NULL),
                   !=, SQLITE_OK);
  g_assert_finalize_object (store);
}

int
main (int    argc,
      char **argv)
{
  if (argc == 3 && g_str_equal (argv[1], "--claim-child"))
    return claim_child_main (argv[2]);
  test_binary = argv[0];
  g_test_init (&argc, &argv, NULL);

#define ADD(path, func) \
  g_test_add ("/deca/engine/store-server/" path, Fixture, NULL, fixture_setup, func, \
              fixture_teardown)

  ADD ("migrate-from-4", test_migrate_from_4);
  ADD ("workspaces", test_workspaces);
  ADD ("members", test_members);
  ADD ("api-keys", test_api_keys);
  ADD ("credentials", test_credentials);
  ADD ("audit", test_audit);
  ADD ("audit-queue", test_audit_queue);
  ADD ("topic-events", test_topic_events);
  ADD ("flow-isolation", test_flow_isolation);
  ADD ("execution-isolation", test_execution_isolation);
  ADD ("prune-executions", test_prune_executions);
  ADD ("backup", test_backup);
  ADD ("backup-while-writing", test_backup_while_writing);
  ADD ("schedule/claim", test_schedule_claim);
  ADD ("schedule/claim-two-connections", test_schedule_claim_two_connections);
  ADD ("schedule/claim-threads", test_schedule_claim_threads);
  ADD ("schedule/claim-processes", test_schedule_claim_processes);

#undef ADD

  return g_test_run ();
}
