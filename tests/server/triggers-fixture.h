/* triggers-fixture.h: what test-triggers.c, test-events.c and test-schedules.c share
 * (static functions, included once by each): in-process `deca serve` instances (DecaServer, the real
 * authenticator with API keys, DecaApiFlows, DecaServerTriggers, the events and the
 * schedules routes) on one server thread with one DecaManualClock, so that a test moves
 * time by hand, and can stop an instance and start another on the same data directory
 * (downtime), or run two at once on one database (two processes).
 *
 * Everything of the server side runs on the server thread (the stores, the executors, the
 * clock): the test reaches it with on_server(), and talks HTTP with SoupSession's
 * blocking API. Workspaces ws-a and ws-b have an API key per role ("owner", "viewer",
 * "executor" for ws-a; "owner" for ws-b). */

#pragma once

#include <string.h>
#include <glib/gstdio.h>

#include <deca-engine.h>
#include <deca-store-server.h>

#include "deca-api-events.h"
#include "deca-api-flows.h"
#include "deca-api-key.h"
#include "deca-api-schedules.h"
#include "deca-authenticator.h"
#include "deca-openapi.h"
#include "deca-server-test.h"
#include "deca-server-triggers.h"
#include "deca-test-fs.h"

#define N_INSTANCES 2

typedef struct {
  DecaServer *server;
  DecaApiFlows *flows;
  DecaServerTriggers *triggers;
  FILE *log_stream;
  char *uri;
} Instance;

typedef struct {
  char *dir;
  char *data_dir;
  GThread *thread;
  GMainContext *context;
  GMainLoop *loop;
  GMutex lock;
  GCond cond;
  gint64 start_us;
  DecaManualClock *clock;          /* server thread */
  Instance instances[N_INSTANCES]; /* server thread, but for the uri */
  SoupSession *session;
  GHashTable *keys;                /* "ws-a:owner" -> key text */
} Fixture;

/* --- running code on the server thread ---------------------------------------------------- */

typedef struct {
  Fixture *fixture;
  void (*func) (Fixture *fixture, gpointer data);
  gpointer data;
  gboolean done;
} Call;

static gboolean
call_cb (gpointer user_data)
{
  Call *call = user_data;

  call->func (call->fixture, call->data);
  g_mutex_lock (&call->fixture->lock);
  call->done = TRUE;
  g_cond_broadcast (&call->fixture->cond);
  g_mutex_unlock (&call->fixture->lock);
  return G_SOURCE_REMOVE;
}

/* Runs @func on the server thread and waits for it to return. */
static void
on_server (Fixture *fixture,
           void   (*func) (Fixture *fixture, gpointer data),
           gpointer data)
{
  Call call = { fixture, func, data, FALSE };

  g_main_context_invoke (fixture->context, call_cb, &call);
  g_mutex_lock (&fixture->lock);
  while (!call.done)
    g_cond_wait (&fixture->cond, &fixture->lock);
  g_mutex_unlock (&fixture->lock);
}

static gpointer
server_thread (gpointer data)
{
  Fixture *fixture = data;

  g_main_context_push_thread_default (fixture->context);
  fixture->clock = deca_manual_clock_new (fixture->start_us);
  g_main_loop_run (fixture->loop);
  while (g_main_context_iteration (fixture->context, FALSE))
    ;
  g_assert_finalize_object (fixture->clock);
  g_main_context_pop_thread_default (fixture->context);
  return NULL;
}

/* --- instances ----------------------------------------------------------------------------- */

static void
start_instance_cb (Fixture  *fixture,
                   gpointer  data)
{
  Instance *instance = &fixture->instances[GPOINTER_TO_UINT (data)];
  g_autoptr(GError) error = NULL;
  g_autoptr(DecaAuthenticator) authenticator = deca_authenticator_new ();
  g_autofree char *log_path = g_strdup_printf ("%s/log-%u.jsonl", fixture->dir, GPOINTER_TO_UINT (data));
  g_autofree char *claimed_by = g_strdup_printf ("test-instance-%u", GPOINTER_TO_UINT (data));
  DecaServerOptions options = { 0 };

  g_assert_null (instance->server);
  instance->log_stream = fopen (log_path, "a");
  g_assert_nonnull (instance->log_stream);
  options.data_dir = fixture->data_dir;
  options.log_stream = instance->log_stream;
  instance->server = deca_server_new (&options, &error);
  g_assert_no_error (error);
  deca_authenticator_install (authenticator, instance->server);
  instance->flows = deca_api_flows_register (instance->server, NULL, &error);
  g_assert_no_error (error);
  instance->triggers = deca_server_triggers_new (instance->server, instance->flows, DECA_CLOCK (fixture->clock),
                                                 claimed_by);
  g_assert_true (deca_api_events_register (instance->server, instance->triggers, &error));
  g_assert_no_error (error);
  g_assert_true (deca_api_schedules_register (instance->server, instance->triggers, &error));
  g_assert_no_error (error);
  g_assert_true (deca_server_triggers_start (instance->triggers, &error));
  g_assert_no_error (error);
  g_assert_true (deca_server_listen (instance->server, "127.0.0.1:0", &error));
  g_assert_no_error (error);
  g_mutex_lock (&fixture->lock);
  instance->uri = deca_server_get_uri (instance->server);
  g_mutex_unlock (&fixture->lock);
}

static void
start_instance (Fixture *fixture,
                guint    index)
{
  on_server (fixture, start_instance_cb, GUINT_TO_POINTER (index));
}

static void
stop_instance_cb (Fixture  *fixture,
                  gpointer  data)
{
  Instance *instance = &fixture->instances[GPOINTER_TO_UINT (data)];
  DecaExecutor *executor;

  if (instance->server == NULL)
    return;
  deca_server_triggers_stop (instance->triggers);
  deca_server_stop (instance->server);
  executor = deca_api_flows_get_executor (instance->flows);
  /* Let what the fires started finish, so the next instance finds them done. */
  while (g_main_context_iteration (fixture->context, FALSE))
    ;
  g_assert_true (deca_executor_flush (executor, NULL));
  g_clear_object (&instance->flows);
  g_assert_finalize_object (instance->server);
  instance->server = NULL;
  g_assert_finalize_object (instance->triggers);
  instance->triggers = NULL;
  fclose (instance->log_stream);
  instance->log_stream = NULL;
  g_mutex_lock (&fixture->lock);
  g_clear_pointer (&instance->uri, g_free);
  g_mutex_unlock (&fixture->lock);
}

static void
stop_instance (Fixture *fixture,
               guint    index)
{
  on_server (fixture, stop_instance_cb, GUINT_TO_POINTER (index));
}

/* --- set-up ---------------------------------------------------------------------------------- */

static void
add_key (Fixture    *fixture,
         DecaStore  *store,
         const char *workspace_id,
         const char *role)
{
  g_hash_table_insert (fixture->keys, g_strdup_printf ("%s:%s", workspace_id, role),
                       deca_test_add_key (store, workspace_id, role));
}

/* @start_us: the manual clock's start. One instance is started. */
static void
fixture_init (Fixture *fixture,
              gint64   start_us)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *db_path = NULL;
  g_autoptr(DecaStore) store = NULL;

  fixture->dir = g_dir_make_tmp ("deca-test-triggers-XXXXXX", &error);
  g_assert_no_error (error);
  fixture->data_dir = g_build_filename (fixture->dir, "data", NULL);
  g_assert_cmpint (g_mkdir (fixture->data_dir, 0700), ==, 0);
  fixture->keys = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);

  db_path = g_build_filename (fixture->data_dir, "deca.db", NULL);
  store = deca_store_open (db_path, &error);
  g_assert_no_error (error);
  g_assert_true (deca_store_create_workspace (store, "ws-a", "A", &error));
  g_assert_true (deca_store_create_workspace (store, "ws-b", "B", &error));
  g_assert_no_error (error);
  add_key (fixture, store, "ws-a", "owner");
  add_key (fixture, store, "ws-a", "viewer");
  add_key (fixture, store, "ws-a", "executor");
  add_key (fixture, store, "ws-b", "owner");
  g_clear_object (&store);

  fixture->start_us = start_us;
  g_mutex_init (&fixture->lock);
  g_cond_init (&fixture->cond);
  fixture->session = soup_session_new ();
  fixture->context = g_main_context_new ();
  fixture->loop = g_main_loop_new (fixture->context, FALSE);
  fixture->thread = g_thread_new ("server", server_thread, fixture);
  start_instance (fixture, 0);
}

static gboolean
quit_cb (gpointer data)
{
  g_main_loop_quit (data);
  return G_SOURCE_REMOVE;
}

static void
fixture_teardown (Fixture       *fixture,
                  gconstpointer  data)
{
  g_assert_finalize_object (fixture->session);
  for (guint i = 0; i < N_INSTANCES; i++)
    stop_instance (fixture, i);
  g_main_context_invoke (fixture->context, quit_cb, fixture->loop);
  g_thread_join (fixture->thread);
  g_main_loop_unref (fixture->loop);
  g_main_context_unref (fixture->context);
  g_mutex_clear (&fixture->lock);
  g_cond_clear (&fixture->cond);
  deca_test_remove_tree (fixture->dir);
  g_free (fixture->dir);
  g_free (fixture->data_dir);
  g_hash_table_unref (fixture->keys);
}

/* --- HTTP -------------------------------------------------------------------------------------- */

/* Sends @method @path to instance @index as @who ("ws-a:owner"; NULL: no key) with @body
 * (JSON text, nullable). Returns the status; *@out (nullable) the parsed body. */
static guint
call_instance (Fixture     *fixture,
               guint        index,
               const char  *who,
               const char  *method,
               const char  *path,
               const char  *body,
               JsonNode   **out)
{
  g_auto(DecaTestAnswer) answer = { 0 };
  g_autofree char *base = NULL;
  DecaTestRequest request = {
    .method = method, .path = path, .body = body, .body_length = -1,
    /* Only an answer the caller reads must be JSON. */
    .flags = out != NULL ? DECA_TEST_CALL_NONE : DECA_TEST_CALL_RAW,
  };

  g_mutex_lock (&fixture->lock);
  g_assert_nonnull (fixture->instances[index].uri);
  base = g_strdup (fixture->instances[index].uri);
  g_mutex_unlock (&fixture->lock);
  if (who != NULL)
    {
      request.key = g_hash_table_lookup (fixture->keys, who);
      g_assert_nonnull (request.key);
    }
  deca_test_send (fixture->session, base, &request, &answer);
  if (out != NULL)
    *out = g_steal_pointer (&answer.json);
  return answer.status;
}

/* The first instance running. */
static guint
running_instance (Fixture *fixture)
{
  guint index = 0;

  g_mutex_lock (&fixture->lock);
  while (index + 1 < N_INSTANCES && fixture->instances[index].uri == NULL)
    index++;
  g_mutex_unlock (&fixture->lock);
  return index;
}

#define CALL(fixture, who, method, path, body, out) \
  call_instance (fixture, running_instance (fixture), who, method, path, body, out)

static JsonObject *
object_of (JsonNode *node)
{
  g_assert_nonnull (node);
  g_assert_true (JSON_NODE_HOLDS_OBJECT (node));
  return json_node_get_object (node);
}

/* Checks the error shape with @code; returns (transfer none) its details. */
G_GNUC_UNUSED static JsonObject *
assert_error (JsonNode   *node,
              const char *code)
{
  JsonObject *error = json_object_get_object_member (object_of (node), "error");

  g_assert_nonnull (error);
  g_assert_cmpstr (json_object_get_string_member (error, "code"), ==, code);
  return JSON_NODE_HOLDS_OBJECT (json_object_get_member (error, "details"))
         ? json_object_get_object_member (error, "details") : NULL;
}

/* Creates flow @document in @who's workspace (201) and activates it (200). */
G_GNUC_UNUSED static void
create_active_flow (Fixture    *fixture,
                    const char *who,
                    const char *document)
{
  g_autoptr(JsonNode) body = NULL;
  g_autoptr(JsonNode) active = NULL;
  g_autofree char *path = NULL;

  g_assert_cmpuint (CALL (fixture, who, "POST", "/api/v1/flows", document, &body), ==, 201);
  path = g_strdup_printf ("/api/v1/flows/%s/activate", json_object_get_string_member (object_of (body), "id"));
  g_assert_cmpuint (CALL (fixture, who, "POST", path, NULL, &active), ==, 200);
  g_assert_true (json_object_get_boolean_member (object_of (active), "active"));
}

/* Returns (transfer full) the executions of @flow_id as @who sees them, oldest first. */
static JsonArray *
list_executions (Fixture    *fixture,
                 const char *who,
                 const char *flow_id)
{
  g_autofree char *path = g_strdup_printf ("/api/v1/executions?flow_id=%s&limit=200", flow_id);
  g_autoptr(JsonNode) body = NULL;
  JsonArray *items;
  JsonArray *oldest_first = json_array_new ();

  g_assert_cmpuint (CALL (fixture, who, "GET", path, NULL, &body), ==, 200);
  items = json_object_get_array_member (object_of (body), "items");
  for (guint i = json_array_get_length (items); i > 0; i--)
    json_array_add_element (oldest_first, json_node_copy (json_array_get_element (items, i - 1)));
  return oldest_first;
}

/* Waits (each poll a round trip through the server's loop) until @flow_id has @n
 * executions that all finished; returns (transfer full) them, oldest first. */
G_GNUC_UNUSED static JsonArray *
wait_for_executions (Fixture    *fixture,
                     const char *who,
                     const char *flow_id,
                     guint       n)
{
  for (guint attempt = 0; attempt < 4000; attempt++)
    {
      g_autoptr(JsonArray) executions = list_executions (fixture, who, flow_id);
      gboolean finished = TRUE;

      g_assert_cmpuint (json_array_get_length (executions), <=, n);
      for (guint i = 0; i < json_array_get_length (executions); i++)
        {
          const char *status = json_object_get_string_member (json_array_get_object_element (executions, i),
                                                              "status");

          finished = finished && (g_str_equal (status, "succeeded") || g_str_equal (status, "failed"));
        }
      if (json_array_get_length (executions) == n && finished)
        return g_steal_pointer (&executions);
      if (attempt == 3999)
        g_error ("flow %s has %u executions, not %u", flow_id, json_array_get_length (executions), n);
      /* Only keeps the poll from spinning: the condition decides. */
      g_usleep (2000);
    }
  g_assert_not_reached ();
}
