/* test-serve-webhooks.c: `deca serve --webhook-rate-limit` in the real server ($DECA_BIN),
 * on the system clock. With a limit, each webhook (workspace and path) has its own
 * bucket: past its burst a call gets 429 with Retry-After and runs nothing, while another
 * path still runs. Without the option (and with "off") webhooks are not limited at all,
 * not even by the API's per-key --rate-limit: more calls than its burst all run. A bad
 * value is refused before anything starts (exit 2). Authenticates with the owner key
 * `deca serve --init` prints. */

#include "config.h"

#include <string.h>

#include "deca-server-test.h"

typedef struct {
  DecaServeProcess *serve;
  char *workspace;
} Fixture;

static void
fixture_setup (Fixture       *fixture,
               gconstpointer  data)
{
  fixture->serve = deca_serve_process_new ("serve-webhooks");
  g_free (deca_serve_process_init (fixture->serve, NULL));
}

/* SIGTERM, and the server must exit 0. */
static void
stop_server (Fixture *fixture)
{
  g_assert_cmpint (deca_serve_process_stop (fixture->serve), ==, 0);
}

static void
fixture_teardown (Fixture       *fixture,
                  gconstpointer  data)
{
  deca_serve_process_free (fixture->serve);
  g_free (fixture->workspace);
}

/* Starts `deca serve` on a free loopback port with the extra arguments @extra (NULL
 * terminated). */
static void
start_server (Fixture            *fixture,
              const char * const *extra)
{
  deca_serve_process_startv (fixture->serve, extra);
}

/* An API call with the owner key; fails the test unless the answer is @status. */
static void
api_ok (Fixture    *fixture,
        const char *method,
        const char *path,
        const char *body,
        guint       status,
        JsonNode  **out)
{
  g_autoptr(JsonNode) answer = deca_serve_process_expect (fixture->serve, method, path, body, status);

  if (out != NULL)
    *out = g_steal_pointer (&answer);
}

/* Creates and activates a flow whose POST webhook at @path runs a transform, and reads
 * the owner key's workspace id once. */
static void
create_webhook_flow (Fixture    *fixture,
                     const char *flow_id,
                     const char *path)
{
  g_autofree char *flow = g_strdup_printf (
    "{\"id\": \"%s\", \"name\": \"%s\","
    " \"triggers\": [{\"type\": \"webhook\", \"method\": \"POST\", \"path\": \"%s\"}],"
    " \"nodes\": [{\"id\": \"shape\", \"type\": \"transform\", \"config\": {\"set\": {\"n\": \"{{input.body.n}}\"}}}]}",
    flow_id, flow_id, path);
  g_autofree char *activate = g_strdup_printf ("/api/v1/flows/%s/activate", flow_id);

  api_ok (fixture, "POST", "/api/v1/flows", flow, 201, NULL);
  api_ok (fixture, "POST", activate, NULL, 200, NULL);
  if (fixture->workspace == NULL)
    {
      g_autoptr(JsonNode) answer = NULL;
      JsonArray *workspaces;

      api_ok (fixture, "GET", "/api/v1/workspaces", NULL, 200, &answer);
      workspaces = json_object_get_array_member (json_node_get_object (answer), "items");
      g_assert_cmpuint (json_array_get_length (workspaces), ==, 1);
      fixture->workspace = g_strdup (json_object_get_string_member (json_array_get_object_element (workspaces, 0),
                                                                    "id"));
    }
}

/* Calls webhook @path (without a key: webhooks are public); returns the message. */
static SoupMessage *
hook (Fixture    *fixture,
      const char *path)
{
  g_autofree char *full = g_strconcat ("/webhook/", fixture->workspace, path, NULL);
  g_auto(DecaTestAnswer) answer = { 0 };

  deca_serve_process_call (fixture->serve, NULL, "POST", full, "{\"n\": 1}", &answer);
  return g_steal_pointer (&answer.message);
}

/* The number of executions of @flow_id. */
static guint
count_executions (Fixture    *fixture,
                  const char *flow_id)
{
  g_autofree char *path = g_strdup_printf ("/api/v1/executions?flow_id=%s&limit=200", flow_id);
  g_autoptr(JsonNode) answer = NULL;

  api_ok (fixture, "GET", path, NULL, 200, &answer);
  return json_array_get_length (json_object_get_array_member (json_node_get_object (answer), "items"));
}

/* A token every 100 s, bursts of 2: the third call of a path within the test is over. */
static void
test_limited (Fixture       *fixture,
              gconstpointer  data)
{
  static const char * const extra[] = { "--webhook-rate-limit", "0.01/2", NULL };
  g_autoptr(SoupMessage) limited = NULL;
  g_autoptr(SoupMessage) other = NULL;
  g_autoptr(JsonNode) answer = NULL;
  const char *retry_after;
  guint64 seconds;

  start_server (fixture, extra);
  create_webhook_flow (fixture, "one", "/one");
  create_webhook_flow (fixture, "two", "/two");
  for (guint i = 0; i < 2; i++)
    {
      g_autoptr(SoupMessage) message = hook (fixture, "/one");

      g_assert_cmpuint (soup_message_get_status (message), ==, 202);
    }
  limited = hook (fixture, "/one");
  g_assert_cmpuint (soup_message_get_status (limited), ==, 429);
  retry_after = soup_message_headers_get_one (soup_message_get_response_headers (limited), "Retry-After");
  g_assert_nonnull (retry_after);
  g_assert_true (g_ascii_string_to_unsigned (retry_after, 10, 1, 100, &seconds, NULL));
  /* Refused before anything ran. */
  g_assert_cmpuint (count_executions (fixture, "one"), ==, 2);
  other = hook (fixture, "/two");
  g_assert_cmpuint (soup_message_get_status (other), ==, 202);
  /* The API is not this limit's business. */
  api_ok (fixture, "GET", "/api/v1/flows", NULL, 200, &answer);
  stop_server (fixture);
}

/* Without the option, and with "off": more calls of one path than the API's burst (3,
 * from --rate-limit 1/3, enough for the calls that set the flow up) all run. */
static void
test_off (Fixture       *fixture,
          gconstpointer  data)
{
  static const char * const defaults[] = { "--rate-limit", "1/3", NULL };
  static const char * const off[] = { "--rate-limit", "1/3", "--webhook-rate-limit", "off", NULL };
  const char * const *runs[] = { defaults, off };
  guint calls = 0;

  for (guint run = 0; run < G_N_ELEMENTS (runs); run++)
    {
      start_server (fixture, runs[run]);
      if (run == 0)
        create_webhook_flow (fixture, "one", "/one");
      for (guint i = 0; i < 25; i++, calls++)
        {
          g_autoptr(SoupMessage) message = hook (fixture, "/one");

          g_assert_cmpuint (soup_message_get_status (message), ==, 202);
        }
      stop_server (fixture);
    }
  g_assert_cmpuint (calls, ==, 50);
}

/* A value that is not RATE[/BURST] or off: exit 2 with one line naming the option. */
static void
test_bad_value (Fixture       *fixture,
                gconstpointer  data)
{
  static const char * const values[] = { "fast", "0", "-1", "5/0", "5/x", "" };

  for (guint i = 0; i < G_N_ELEMENTS (values); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(GSubprocess) process = NULL;
      g_autofree char *err = NULL;

      process = g_subprocess_new (G_SUBPROCESS_FLAGS_STDOUT_SILENCE | G_SUBPROCESS_FLAGS_STDERR_PIPE, &error,
                                  deca_serve_bin (), "serve", "--listen", "127.0.0.1:0", "--data-dir", fixture->serve->data_dir,
                                  "--webhook-rate-limit", values[i], NULL);
      g_assert_no_error (error);
      g_subprocess_communicate_utf8 (process, NULL, NULL, NULL, &err, &error);
      g_assert_no_error (error);
      g_assert_cmpint (g_subprocess_get_exit_status (process), ==, 2);
      g_assert_nonnull (strstr (err, "--webhook-rate-limit wants RATE[/BURST]"));
    }
}

int
main (int argc, char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add ("/server/serve/webhooks/rate-limited", Fixture, NULL, fixture_setup, test_limited, fixture_teardown);
  g_test_add ("/server/serve/webhooks/rate-limit-off", Fixture, NULL, fixture_setup, test_off, fixture_teardown);
  g_test_add ("/server/serve/webhooks/rate-limit-bad", Fixture, NULL, fixture_setup, test_bad_value, fixture_teardown);
  return g_test_run ();
}
