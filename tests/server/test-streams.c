/* test-streams.c: the live streams of the REST API (server/deca-api-streams.c) and the
 * streaming answers under them (deca_request_start_event_stream() and friends), on an
 * in-process DecaServer with the real authentication step and API keys of two
 * workspaces.
 *
 * The server runs on a thread of its own with its own main context; the test reads the
 * streams as they come with SoupSession (blocking reads of the body, an event at a time)
 * or a raw socket. The keep-alive timer runs on a DecaManualClock that the test moves on
 * the server's thread. */

#include "config.h"

#include <string.h>

#include "deca-api-flows.h"
#include "deca-api-key.h"
#include "deca-api-streams.h"
#include "deca-authenticator.h"
#include "deca-openapi.h"
#include "deca-server-test.h"
#include "deca-store-server.h"

#define WS_A "ws-a"
#define WS_B "ws-b"

/* The API keys made at start: [role or name] -> key text. */
typedef enum {
  KEY_OWNER_A,
  KEY_VIEWER_A,
  KEY_EXECUTOR_A,
  KEY_FLOWS_ONLY_A,       /* a developer key narrowed to read:flows */
  KEY_EXECUTIONS_ONLY_A,  /* a developer key narrowed to read:executions */
  KEY_OWNER_B,
  N_KEYS,
} Key;

static const struct {
  const char *workspace;
  const char *role;
  const char *scopes;
} key_specs[N_KEYS] = {
  [KEY_OWNER_A] = { WS_A, "owner", NULL },
  [KEY_VIEWER_A] = { WS_A, "viewer", NULL },
  [KEY_EXECUTOR_A] = { WS_A, "executor", NULL },
  [KEY_FLOWS_ONLY_A] = { WS_A, "developer", "read:flows" },
  [KEY_EXECUTIONS_ONLY_A] = { WS_A, "developer", "read:executions" },
  [KEY_OWNER_B] = { WS_B, "owner", NULL },
};

typedef struct {
  DecaTestServer *test;
  char *keys[N_KEYS];
  DecaApiStreams *streams;       /* used on the server thread, but for the open count */
  DecaApiFlows *flows;           /* used on the server thread */
  DecaManualClock *clock;        /* the keep-alive clock; moved on the server thread */
  DecaServer *server;            /* borrowed; used on the server thread */
} Fixture;

/* --- the server thread -------------------------------------------------------------- */

static void
make_keys (Fixture   *fixture,
           DecaStore *store)
{
  g_autoptr(GError) error = NULL;

  g_assert_true (deca_store_create_workspace (store, WS_A, "A", &error));
  g_assert_true (deca_store_create_workspace (store, WS_B, "B", &error));
  for (guint i = 0; i < N_KEYS; i++)
    fixture->keys[i] = deca_test_add_key_full (store, key_specs[i].workspace, "test", key_specs[i].role,
                                               key_specs[i].scopes);
}

/* On the server thread: the workspaces and keys, the flows and streams routes, the
 * streams' clock, the real authenticator. */
static void
server_setup (DecaTestServer *test,
              DecaServer     *server,
              gpointer        user_data)
{
  Fixture *fixture = user_data;
  g_autoptr(GError) error = NULL;

  make_keys (fixture, deca_server_get_store (server));
  fixture->flows = deca_api_flows_register (server, NULL, &error);
  g_assert_no_error (error);
  fixture->streams = deca_api_streams_register (server, fixture->flows, &error);
  g_assert_no_error (error);
  fixture->clock = deca_manual_clock_new (G_GINT64_CONSTANT (1700000000) * G_USEC_PER_SEC);
  deca_api_streams_set_clock (fixture->streams, DECA_CLOCK (fixture->clock));
  deca_test_server_install_authenticator (test);
  fixture->server = server;
}

/* On the server thread, once the server has stopped: no stream is left open. */
static void
server_teardown (DecaTestServer *test,
                 DecaServer     *server,
                 gpointer        user_data)
{
  Fixture *fixture = user_data;

  g_assert_cmpuint (deca_api_streams_get_open_count (fixture->streams), ==, 0);
  g_clear_object (&fixture->streams);
  g_clear_object (&fixture->flows);
  g_clear_object (&fixture->clock);
}

static void
fixture_setup (Fixture       *fixture,
               gconstpointer  data)
{
  DecaTestServerOptions options = {
    .read_timeout_s = GPOINTER_TO_UINT (data),
    .setup = server_setup,
    .teardown = server_teardown,
    .user_data = fixture,
    /* Streams hold their connections: room for several at once. A read that waits
     * longer than the timeout fails the test instead of hanging it. */
    .session = soup_session_new_with_options ("max-conns-per-host", 16, "timeout", 30, NULL),
  };

  fixture->test = deca_test_server_new ("streams", &options);
}

static void
fixture_teardown (Fixture       *fixture,
                  gconstpointer  data)
{
  deca_test_server_free (fixture->test);
  for (guint i = 0; i < N_KEYS; i++)
    g_free (fixture->keys[i]);
}

/* --- HTTP helpers ------------------------------------------------------------------- */

/* Sends @method @path with @key (NULL: none) and @body (JSON, nullable); returns the
 * status, *@out (nullable) the parsed body or NULL when empty. */
static guint
call (Fixture     *fixture,
      const char  *key,
      const char  *method,
      const char  *path,
      const char  *body,
      JsonNode   **out)
{
  g_auto(DecaTestAnswer) answer = { 0 };

  deca_test_server_call (fixture->test, key, method, path, body, &answer);
  if (out != NULL)
    *out = g_steal_pointer (&answer.json);
  return answer.status;
}

static JsonObject *
object_of (JsonNode *node)
{
  g_assert_nonnull (node);
  g_assert_true (JSON_NODE_HOLDS_OBJECT (node));
  return json_node_get_object (node);
}

static const char *
error_code (JsonNode *node)
{
  return json_object_get_string_member (json_object_get_object_member (object_of (node), "error"), "code");
}

static const char *chain_flow =
  "{\"id\": \"FLOW\", \"name\": \"Chain\", \"nodes\": ["
  " {\"id\": \"a\", \"type\": \"transform\", \"config\": {\"set\": {\"n\": \"{{input.start}}\"}}},"
  " {\"id\": \"b\", \"type\": \"transform\", \"config\": {\"set\": {\"n\": \"{{a.n + 1}}\"}}}],"
  " \"connections\": [{\"from\": \"a\", \"to\": \"b\"}]}";

static const char *approval_flow =
  "{\"id\": \"appr\", \"name\": \"Approval\", \"nodes\": ["
  " {\"id\": \"ask\", \"type\": \"approval\", \"config\": {\"message\": \"Refund {{input.amount}}?\"}},"
  " {\"id\": \"refund\", \"type\": \"transform\", \"config\": {\"set\": {\"done\": true}}}],"
  " \"connections\": [{\"from\": \"ask\", \"to\": \"refund\", \"from_port\": \"approved\"}]}";

/* Creates the chain flow as @flow_id in @key's workspace. */
static void
create_chain (Fixture    *fixture,
              const char *key,
              const char *flow_id)
{
  g_autoptr(GString) document = g_string_new (chain_flow);
  g_autoptr(JsonNode) body = NULL;

  g_string_replace (document, "FLOW", flow_id, 1);
  g_assert_cmpuint (call (fixture, key, "POST", "/api/v1/flows", document->str, &body), ==, 201);
}

/* Starts @flow_id (with ?wait=true: answers once it finished or paused); returns
 * (transfer full) the execution id. */
static char *
execute (Fixture    *fixture,
         const char *key,
         const char *flow_id,
         gboolean    wait)
{
  g_autofree char *path = g_strdup_printf ("/api/v1/flows/%s/execute%s", flow_id, wait ? "?wait=true" : "");
  g_autoptr(JsonNode) body = NULL;
  guint status = call (fixture, key, "POST", path, "{\"input\": {\"start\": 1, \"amount\": 5}}", &body);

  g_assert_cmpuint (status, ==, wait ? 200 : 202);
  return g_strdup (json_object_get_string_member (object_of (body), "id"));
}

/* --- reading a stream --------------------------------------------------------------- */

typedef struct {
  SoupMessage *message;
  GInputStream *body;
  GDataInputStream *lines;
} Stream;

typedef struct {
  char *id;                /* NULL when the event has none */
  char *type;
  char *data;
  JsonNode *json;          /* data parsed */
  char *comment;           /* a comment instead of an event */
} Event;

static void
event_free (Event *event)
{
  g_free (event->id);
  g_free (event->type);
  g_free (event->data);
  g_clear_pointer (&event->json, json_node_unref);
  g_free (event->comment);
  g_free (event);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (Event, event_free)

static void
stream_free (Stream *stream)
{
  g_clear_object (&stream->lines);
  g_clear_object (&stream->body);
  g_clear_object (&stream->message);
  g_free (stream);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (Stream, stream_free)

/* Opens GET @path with @key and the Last-Event-ID @last_event_id (nullable). Returns the
 * stream once the answer's headers are in (the server subscribed it by then); *@status
 * is the answer's status. */
static Stream *
stream_open (Fixture    *fixture,
             const char *key,
             const char *path,
             const char *last_event_id,
             guint      *status)
{
  g_autofree char *uri = g_strconcat (fixture->test->uri, path, NULL);
  g_autoptr(GError) error = NULL;
  Stream *stream = g_new0 (Stream, 1);
  SoupMessageHeaders *headers;

  stream->message = soup_message_new ("GET", uri);
  headers = soup_message_get_request_headers (stream->message);
  if (key != NULL)
    {
      g_autofree char *authorization = g_strconcat ("Bearer ", key, NULL);

      soup_message_headers_append (headers, "Authorization", authorization);
    }
  soup_message_headers_append (headers, "Accept", "text/event-stream");
  if (last_event_id != NULL)
    soup_message_headers_append (headers, "Last-Event-ID", last_event_id);
  stream->body = soup_session_send (fixture->test->session, stream->message, NULL, &error);
  g_assert_no_error (error);
  stream->lines = g_data_input_stream_new (stream->body);
  g_data_input_stream_set_newline_type (stream->lines, G_DATA_STREAM_NEWLINE_TYPE_LF);
  *status = soup_message_get_status (stream->message);
  return stream;
}

/* Reads the next event or comment; NULL at the end of the stream. */
static Event *
stream_next_any (Stream *stream)
{
  g_autoptr(Event) event = g_new0 (Event, 1);
  gboolean any = FALSE;

  for (;;)
    {
      g_autoptr(GError) error = NULL;
      g_autofree char *line = g_data_input_stream_read_line (stream->lines, NULL, NULL, &error);

      g_assert_no_error (error);
      if (line == NULL)
        {
          g_assert_false (any);
          return NULL;
        }
      if (*line == '\0')
        {
          if (!any)
            continue;
          if (event->data != NULL)
            {
              g_autofree char *text = g_strdup_printf ("data: %s\n\n", event->data);
              g_autoptr(GBytes) bytes = g_bytes_new_take (g_steal_pointer (&text), strlen ("data: \n\n")
                                                                                  + strlen (event->data));

              event->json = json_from_string (event->data, &error);
              g_assert_no_error (error);
              /* Each event's data as the document's x-deca-event-data has it. */
              deca_openapi_assert_message (stream->message, bytes);
            }
          return g_steal_pointer (&event);
        }
      any = TRUE;
      if (line[0] == ':')
        {
          g_assert_null (event->comment);
          event->comment = g_strdup (line + (line[1] == ' ' ? 2 : 1));
        }
      else if (g_str_has_prefix (line, "id: "))
        event->id = g_strdup (line + 4);
      else if (g_str_has_prefix (line, "event: "))
        event->type = g_strdup (line + 7);
      else if (g_str_has_prefix (line, "data: "))
        {
          /* The server writes data as one line of JSON. */
          g_assert_null (event->data);
          event->data = g_strdup (line + 6);
        }
      else
        g_error ("not an event stream line: %s", line);
    }
}

/* The next event, skipping keep-alive comments. */
static Event *
stream_next (Stream *stream)
{
  for (;;)
    {
      Event *event = stream_next_any (stream);

      if (event == NULL || event->comment == NULL)
        return event;
      event_free (event);
    }
}

static const char *
event_string (Event      *event,
              const char *member)
{
  return json_object_get_string_member_with_default (object_of (event->json), member, NULL);
}

static gint64
event_seq (Event *event)
{
  return json_object_get_int_member (object_of (event->json), "seq");
}

/* Checks that execution.started @event says the execute route started it, with an API
 * key. */
static void
assert_api_trigger (Event *event)
{
  JsonObject *trigger = json_object_get_object_member (object_of (event->json), "trigger");

  g_assert_nonnull (trigger);
  g_assert_cmpstr (json_object_get_string_member (trigger, "type"), ==, "api");
  g_assert_true (g_str_has_prefix (json_object_get_string_member (trigger, "actor"), "key:"));
}

/* Checks an execution stream's event: the SSE id is the seq, the SSE type the data's,
 * and outputs are left out (a link instead). */
static void
assert_execution_event (Event      *event,
                        const char *execution_id,
                        gint64      previous_seq)
{
  g_autofree char *seq = NULL;

  g_assert_nonnull (event->type);
  g_assert_cmpstr (event->type, ==, event_string (event, "type"));
  g_assert_cmpstr (event_string (event, "execution_id"), ==, execution_id);
  g_assert_nonnull (event_string (event, "flow_id"));
  g_assert_cmpint (event_seq (event), >, previous_seq);
  seq = g_strdup_printf ("%" G_GINT64_FORMAT, event_seq (event));
  g_assert_cmpstr (event->id, ==, seq);
  g_assert_false (json_object_has_member (object_of (event->json), "output"));
  if (g_str_equal (event->type, "node.succeeded") || g_str_equal (event->type, "execution.finished"))
    {
      g_autofree char *href = g_strconcat ("/api/v1/executions/", execution_id, NULL);

      g_assert_cmpstr (event_string (event, "output_href"), ==, href);
    }
}

/* Polls GET /executions/@id until its status is @status. */
static void
wait_for_status (Fixture    *fixture,
                 const char *key,
                 const char *id,
                 const char *status)
{
  g_autofree char *path = g_strdup_printf ("/api/v1/executions/%s", id);

  for (guint i = 0; i < 2000; i++)
    {
      g_autoptr(JsonNode) body = NULL;

      g_assert_cmpuint (call (fixture, key, "GET", path, NULL, &body), ==, 200);
      if (g_str_equal (json_object_get_string_member (object_of (body), "status"), status))
        return;
      /* Each poll is a round trip through the server's loop, which runs the execution
       * meanwhile; the pause only keeps the poll from spinning. */
      g_usleep (2000);
    }
  g_assert_not_reached ();
}

/* Waits until the server has @count streams open. */
static void
wait_for_open_count (Fixture *fixture,
                     guint    count)
{
  for (guint i = 0; i < 5000 && deca_api_streams_get_open_count (fixture->streams) != count; i++)
    g_usleep (1000);
  g_assert_cmpuint (deca_api_streams_get_open_count (fixture->streams), ==, count);
}

/* The value of series @series (a whole "name{labels}" text) in /metrics, -1 when absent. */
static double
metric (Fixture    *fixture,
        const char *series)
{
  g_autofree char *uri = g_strconcat (fixture->test->uri, "/metrics", NULL);
  g_autoptr(SoupMessage) message = soup_message_new ("GET", uri);
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) body = soup_session_send_and_read (fixture->test->session, message, NULL, &error);
  g_autofree char *text = NULL;
  g_auto(GStrv) lines = NULL;

  g_assert_no_error (error);
  text = g_strndup (g_bytes_get_data (body, NULL), g_bytes_get_size (body));
  lines = g_strsplit (text, "\n", -1);
  for (guint i = 0; lines[i] != NULL; i++)
    if (g_str_has_prefix (lines[i], series) && lines[i][strlen (series)] == ' ')
      return g_ascii_strtod (lines[i] + strlen (series) + 1, NULL);
  return -1;
}

/* --- tests -------------------------------------------------------------------------- */

/* An execution that waits for an approval: the stream gives its history, then the live
 * events after the approval, in order, and ends after execution.finished. */
static void
test_execution_live (Fixture       *fixture,
                     gconstpointer  data)
{
  const char *key = fixture->keys[KEY_OWNER_A];
  g_autoptr(JsonNode) body = NULL;
  g_autoptr(Stream) stream = NULL;
  g_autoptr(GPtrArray) types = g_ptr_array_new_with_free_func (g_free);
  g_autofree char *id = NULL;
  g_autofree char *path = NULL;
  g_autofree char *approve = NULL;
  gint64 seq = 0;
  gboolean live_only_seen = FALSE;
  guint status;

  g_assert_cmpuint (call (fixture, key, "POST", "/api/v1/flows", approval_flow, &body), ==, 201);
  id = execute (fixture, key, "appr", FALSE);
  wait_for_status (fixture, key, id, "paused");

  path = g_strdup_printf ("/api/v1/executions/%s/events", id);
  stream = stream_open (fixture, key, path, NULL, &status);
  g_assert_cmpuint (status, ==, 200);
  g_assert_cmpstr (soup_message_headers_get_content_type (soup_message_get_response_headers (stream->message), NULL),
                   ==, "text/event-stream");
  g_assert_cmpstr (soup_message_headers_get_one (soup_message_get_response_headers (stream->message), "Cache-Control"),
                   ==, "no-store");
  wait_for_open_count (fixture, 1);

  /* The history, up to the pause. */
  for (;;)
    {
      g_autoptr(Event) event = stream_next (stream);

      g_assert_nonnull (event);
      assert_execution_event (event, id, seq);
      seq = event_seq (event);
      g_ptr_array_add (types, g_strdup (event->type));
      if (g_str_equal (event->type, "execution.started"))
        assert_api_trigger (event);
      if (g_str_equal (event->type, "execution.paused"))
        break;
    }
  g_assert_cmpstr (g_ptr_array_index (types, 0), ==, "execution.started");
  g_assert_true (g_ptr_array_find_with_equal_func (types, "node.paused", g_str_equal, NULL));

  /* Then what happens while the stream is open. */
  approve = g_strdup_printf ("/api/v1/executions/%s/approve", id);
  g_clear_pointer (&body, json_node_unref);
  g_assert_cmpuint (call (fixture, key, "POST", approve, "{\"node\": \"ask\"}", &body), ==, 200);
  g_ptr_array_set_size (types, 0);
  for (;;)
    {
      g_autoptr(Event) event = stream_next (stream);

      if (event == NULL)
        break;
      assert_execution_event (event, id, seq);
      seq = event_seq (event);
      g_ptr_array_add (types, g_strdup (event->type));
      /* Live events the store does not keep: these came from the executor itself. */
      if (g_str_equal (event->type, "node.started"))
        {
          live_only_seen = TRUE;
          g_assert_nonnull (event_string (event, "node_type"));
        }
      if (g_str_equal (event->type, "execution.finished"))
        g_assert_cmpstr (event_string (event, "status"), ==, "succeeded");
    }
  g_assert_true (live_only_seen);
  g_assert_cmpuint (types->len, >=, 3);
  g_assert_cmpstr (g_ptr_array_index (types, 0), ==, "execution.resumed");
  g_assert_true (g_ptr_array_find_with_equal_func (types, "node.succeeded", g_str_equal, NULL));
  /* The stream ended after the final event. */
  g_assert_cmpstr (g_ptr_array_index (types, types->len - 1), ==, "execution.finished");
  wait_for_open_count (fixture, 0);
}

/* Reads the whole stream of execution @id (it finished) from @last_event_id on;
 * returns (transfer full) its events. */
static GPtrArray *
read_history (Fixture    *fixture,
              const char *key,
              const char *id,
              const char *query,
              const char *last_event_id)
{
  g_autofree char *path = g_strdup_printf ("/api/v1/executions/%s/events%s", id, query);
  g_autoptr(Stream) stream = NULL;
  GPtrArray *events = g_ptr_array_new_with_free_func ((GDestroyNotify) event_free);
  Event *event;
  guint status;

  stream = stream_open (fixture, key, path, last_event_id, &status);
  g_assert_cmpuint (status, ==, 200);
  while ((event = stream_next (stream)) != NULL)
    g_ptr_array_add (events, event);
  return events;
}

/* A stream opened after the execution finished gives its whole history and ends. */
static void
test_execution_history (Fixture       *fixture,
                        gconstpointer  data)
{
  const char *key = fixture->keys[KEY_OWNER_A];
  g_autoptr(GPtrArray) events = NULL;
  g_autofree char *id = NULL;
  Event *last;
  gint64 seq = 0;
  guint succeeded = 0;

  create_chain (fixture, key, "chain");
  id = execute (fixture, key, "chain", TRUE);
  events = read_history (fixture, key, id, "", NULL);
  g_assert_cmpuint (events->len, >=, 4);
  for (guint i = 0; i < events->len; i++)
    {
      Event *event = g_ptr_array_index (events, i);

      assert_execution_event (event, id, seq);
      seq = event_seq (event);
      if (g_str_equal (event->type, "node.succeeded"))
        succeeded++;
    }
  g_assert_cmpuint (succeeded, ==, 2);
  g_assert_cmpstr (((Event *) g_ptr_array_index (events, 0))->type, ==, "execution.started");
  last = g_ptr_array_index (events, events->len - 1);
  g_assert_cmpstr (last->type, ==, "execution.finished");
  g_assert_cmpstr (event_string (last, "status"), ==, "succeeded");
  g_assert_cmpstr (event_string (last, "flow_id"), ==, "chain");
  wait_for_open_count (fixture, 0);
}

/* Last-Event-ID (and ?after=) resume after that event: nothing repeated, nothing lost. */
static void
test_execution_resume (Fixture       *fixture,
                       gconstpointer  data)
{
  const char *key = fixture->keys[KEY_OWNER_A];
  g_autoptr(GPtrArray) all = NULL;
  g_autoptr(GPtrArray) rest = NULL;
  g_autoptr(GPtrArray) after = NULL;
  g_autoptr(GPtrArray) none = NULL;
  g_autoptr(JsonNode) body = NULL;
  g_autofree char *id = NULL;
  g_autofree char *path = NULL;
  Event *cut;

  create_chain (fixture, key, "chain");
  id = execute (fixture, key, "chain", TRUE);
  all = read_history (fixture, key, id, "", NULL);
  g_assert_cmpuint (all->len, >=, 4);
  cut = g_ptr_array_index (all, 1);

  rest = read_history (fixture, key, id, "", cut->id);
  g_assert_cmpuint (rest->len, ==, all->len - 2);
  for (guint i = 0; i < rest->len; i++)
    g_assert_cmpstr (((Event *) g_ptr_array_index (rest, i))->data, ==,
                     ((Event *) g_ptr_array_index (all, i + 2))->data);

  /* ?after= is the same; the header wins over it (a browser reconnecting keeps the URL). */
  {
    g_autofree char *query = g_strdup_printf ("?after=%s", cut->id);

    after = read_history (fixture, key, id, query, NULL);
    g_assert_cmpuint (after->len, ==, rest->len);
    g_clear_pointer (&after, g_ptr_array_unref);
    after = read_history (fixture, key, id, "?after=0", cut->id);
    g_assert_cmpuint (after->len, ==, rest->len);
  }

  /* After the last event there is nothing more: the stream ends at once. */
  none = read_history (fixture, key, id, "", ((Event *) g_ptr_array_index (all, all->len - 1))->id);
  g_assert_cmpuint (none->len, ==, 0);

  path = g_strdup_printf ("/api/v1/executions/%s/events?after=-1", id);
  g_assert_cmpuint (call (fixture, key, "GET", path, NULL, &body), ==, 400);
  g_assert_cmpstr (error_code (body), ==, "bad_request");
  g_assert_cmpstr (json_object_get_string_member (json_object_get_object_member (json_object_get_object_member (
                     object_of (body), "error"), "details"), "parameter"), ==, "after");
  g_clear_pointer (&path, g_free);
  g_clear_pointer (&body, json_node_unref);
  path = g_strdup_printf ("/api/v1/executions/%s/events?after=two", id);
  g_assert_cmpuint (call (fixture, key, "GET", path, NULL, &body), ==, 400);
}

/* The workspace stream: events of every execution of the workspace and its flow
 * changes, none of another workspace. */
static void
test_workspace_stream (Fixture       *fixture,
                       gconstpointer  data)
{
  const char *key_a = fixture->keys[KEY_OWNER_A];
  const char *key_b = fixture->keys[KEY_OWNER_B];
  g_autoptr(Stream) stream = NULL;
  g_autoptr(JsonNode) body = NULL;
  g_autofree char *first = NULL;
  g_autofree char *second = NULL;
  g_autofree char *other = NULL;
  guint finished = 0, saved = 0, started = 0;
  gboolean activated = FALSE;
  guint status;

  create_chain (fixture, key_a, "chain-a");
  create_chain (fixture, key_b, "chain-b");
  stream = stream_open (fixture, key_a, "/api/v1/stream", NULL, &status);
  g_assert_cmpuint (status, ==, 200);

  /* Workspace B first: none of it may show on A's stream before A's events. */
  other = execute (fixture, key_b, "chain-b", TRUE);
  create_chain (fixture, key_b, "flow-b");
  first = execute (fixture, key_a, "chain-a", TRUE);
  second = execute (fixture, key_a, "chain-a", TRUE);
  create_chain (fixture, key_a, "flow-a");
  g_assert_cmpuint (call (fixture, key_a, "POST", "/api/v1/flows/flow-a/activate", NULL, &body), ==, 200);

  while (!activated)
    {
      g_autoptr(Event) event = stream_next (stream);
      const char *execution;

      g_assert_nonnull (event);
      /* Events of several executions: no SSE id. */
      g_assert_null (event->id);
      g_assert_cmpstr (event->type, ==, event_string (event, "type"));
      g_assert_cmpstr (event_string (event, "flow_id"), !=, "chain-b");
      g_assert_cmpstr (event_string (event, "flow_id"), !=, "flow-b");
      execution = event_string (event, "execution_id");
      if (g_str_has_prefix (event->type, "flow."))
        {
          g_assert_null (execution);
          g_assert_cmpstr (event_string (event, "flow_id"), ==, "flow-a");
          saved += g_str_equal (event->type, "flow.saved");
          activated = g_str_equal (event->type, "flow.activated");
          if (g_str_equal (event->type, "flow.saved"))
            g_assert_cmpint (json_object_get_int_member (object_of (event->json), "version"), ==, 1);
          continue;
        }
      g_assert_true (g_strcmp0 (execution, first) == 0 || g_strcmp0 (execution, second) == 0);
      started += g_str_equal (event->type, "execution.started");
      finished += g_str_equal (event->type, "execution.finished");
    }
  g_assert_cmpuint (started, ==, 2);
  g_assert_cmpuint (finished, ==, 2);
  g_assert_cmpuint (saved, ==, 1);
  wait_for_open_count (fixture, 1);
}

/* ?types= keeps only those types; unknown types are a 400, flow types without read:flows
 * a 403. A key narrowed to read:executions gets no flow events at all. */
static void
test_workspace_types (Fixture       *fixture,
                      gconstpointer  data)
{
  const char *key = fixture->keys[KEY_OWNER_A];
  g_autoptr(Stream) stream = NULL;
  g_autoptr(Stream) narrow = NULL;
  g_autoptr(JsonNode) body = NULL;
  g_autofree char *first = NULL;
  g_autoptr(GPtrArray) seen = g_ptr_array_new_with_free_func (g_free);
  guint status;

  create_chain (fixture, key, "chain");
  stream = stream_open (fixture, key, "/api/v1/stream?types=execution.finished,flow.saved", NULL, &status);
  g_assert_cmpuint (status, ==, 200);
  narrow = stream_open (fixture, fixture->keys[KEY_EXECUTIONS_ONLY_A], "/api/v1/stream", NULL, &status);
  g_assert_cmpuint (status, ==, 200);

  first = execute (fixture, key, "chain", TRUE);
  create_chain (fixture, key, "other");
  g_assert_cmpuint (call (fixture, key, "POST", "/api/v1/flows/other/activate", NULL, &body), ==, 200);
  g_clear_pointer (&body, json_node_unref);
  g_free (execute (fixture, key, "chain", TRUE));

  /* execution.finished, flow.saved, execution.finished: nothing else. */
  for (guint i = 0; i < 3; i++)
    {
      g_autoptr(Event) event = stream_next (stream);

      g_assert_nonnull (event);
      g_ptr_array_add (seen, g_strdup (event->type));
    }
  g_assert_cmpstr (g_ptr_array_index (seen, 0), ==, "execution.finished");
  g_assert_cmpstr (g_ptr_array_index (seen, 1), ==, "flow.saved");
  g_assert_cmpstr (g_ptr_array_index (seen, 2), ==, "execution.finished");

  /* The narrow key saw both executions from start to end and no flow event. */
  for (guint executions = 0; executions < 2;)
    {
      g_autoptr(Event) event = stream_next (narrow);

      g_assert_nonnull (event);
      g_assert_false (g_str_has_prefix (event->type, "flow."));
      executions += g_str_equal (event->type, "execution.finished");
    }

  /* Prefixes. */
  g_clear_pointer (&stream, stream_free);
  stream = stream_open (fixture, key, "/api/v1/stream?types=node.*", NULL, &status);
  g_assert_cmpuint (status, ==, 200);
  g_free (execute (fixture, key, "chain", TRUE));
  for (guint i = 0; i < 4; i++)
    {
      g_autoptr(Event) event = stream_next (stream);

      g_assert_nonnull (event);
      g_assert_true (g_str_has_prefix (event->type, "node."));
    }

  g_assert_cmpuint (call (fixture, key, "GET", "/api/v1/stream?types=execution.exploded", NULL, &body), ==, 400);
  g_assert_cmpstr (json_object_get_string_member (json_object_get_object_member (json_object_get_object_member (
                     object_of (body), "error"), "details"), "parameter"), ==, "types");
  g_clear_pointer (&body, json_node_unref);
  g_assert_cmpuint (call (fixture, key, "GET", "/api/v1/stream?types=,", NULL, &body), ==, 400);
  g_clear_pointer (&body, json_node_unref);
  g_assert_cmpuint (call (fixture, fixture->keys[KEY_EXECUTIONS_ONLY_A], "GET", "/api/v1/stream?types=flow.saved",
                          NULL, &body), ==, 403);
  g_assert_cmpstr (error_code (body), ==, "forbidden");
}

/* Opens a raw connection sending @request; returns it once the answer's headers are in
 * (*@head: them). */
static GSocketConnection *
raw_open (Fixture    *fixture,
          const char *request,
          char      **head)
{
  g_autoptr(GSocketClient) client = g_socket_client_new ();
  g_autoptr(GError) error = NULL;
  GSocketConnection *connection;
  GString *text = g_string_new (NULL);
  GInputStream *in;

  connection = g_socket_client_connect_to_host (client, "127.0.0.1", fixture->test->port, NULL, &error);
  g_assert_no_error (error);
  g_output_stream_write_all (g_io_stream_get_output_stream (G_IO_STREAM (connection)), request, strlen (request),
                             NULL, NULL, &error);
  g_assert_no_error (error);
  in = g_io_stream_get_input_stream (G_IO_STREAM (connection));
  while (strstr (text->str, "\r\n\r\n") == NULL)
    {
      char byte;
      gssize got = g_input_stream_read (in, &byte, 1, NULL, &error);

      g_assert_no_error (error);
      g_assert_cmpint (got, ==, 1);
      g_string_append_c (text, byte);
    }
  *head = g_string_free (text, FALSE);
  return connection;
}

/* Returns (transfer full) the access lines of the log for @route, parsed. */
static GPtrArray *
access_lines (Fixture    *fixture,
              const char *route)
{
  GPtrArray *found = g_ptr_array_new_with_free_func ((GDestroyNotify) json_node_unref);
  g_autofree char *log = NULL;
  g_auto(GStrv) lines = NULL;

  g_assert_true (g_file_get_contents (fixture->test->log_path, &log, NULL, NULL));
  lines = g_strsplit (log, "\n", -1);
  for (guint i = 0; lines[i] != NULL; i++)
    {
      JsonNode *node;

      if (*lines[i] == '\0' || !(node = json_from_string (lines[i], NULL)))
        continue;
      if (g_strcmp0 (json_object_get_string_member_with_default (object_of (node), "route", NULL), route) == 0)
        g_ptr_array_add (found, node);
      else
        json_node_unref (node);
    }
  return found;
}

/* Waits until series @series of /metrics reaches @value. */
static void
wait_for_metric (Fixture    *fixture,
                 const char *series,
                 double      value)
{
  for (guint i = 0; i < 2000 && metric (fixture, series) < value; i++)
    g_usleep (1000);
  g_assert_cmpfloat (metric (fixture, series), ==, value);
}

/* A client that goes away is dropped at once, while its stream is idle: the count of
 * open streams (and the gauge of /metrics) go back. */
static void
test_client_gone (Fixture       *fixture,
                  gconstpointer  data)
{
  g_autofree char *request = g_strdup_printf ("GET /api/v1/stream HTTP/1.1\r\nHost: test\r\n"
                                              "Authorization: Bearer %s\r\n\r\n", fixture->keys[KEY_VIEWER_A]);
  g_autofree char *head = NULL;
  g_autoptr(GPtrArray) lines = NULL;
  GSocketConnection *connection;
  JsonObject *object;

  g_assert_cmpfloat (metric (fixture, "deca_streams_open{kind=\"workspace\"}"), ==, 0);
  connection = raw_open (fixture, request, &head);
  g_assert_true (g_str_has_prefix (head, "HTTP/1.1 200"));
  g_assert_nonnull (strstr (head, "Transfer-Encoding: chunked"));
  wait_for_open_count (fixture, 1);
  g_assert_cmpfloat (metric (fixture, "deca_streams_open{kind=\"workspace\"}"), ==, 1);

  g_io_stream_close (G_IO_STREAM (connection), NULL, NULL);
  g_object_unref (connection);
  wait_for_open_count (fixture, 0);
  g_assert_cmpfloat (metric (fixture, "deca_streams_open{kind=\"workspace\"}"), ==, 0);

  /* One request, answered 200, that the client ended; not an incomplete one. */
  wait_for_metric (fixture, "http_requests_total{method=\"GET\",route=\"/api/v1/stream\",status=\"200\"}", 1);
  g_assert_cmpfloat (metric (fixture, "http_incomplete_requests_total{stage=\"answer\"}"), <=, 0);
  lines = access_lines (fixture, "/api/v1/stream");
  g_assert_cmpuint (lines->len, ==, 1);
  object = object_of (g_ptr_array_index (lines, 0));
  g_assert_cmpstr (json_object_get_string_member (object, "message"), ==, "request");
  g_assert_cmpint (json_object_get_int_member (object, "status"), ==, 200);
  g_assert_cmpstr (json_object_get_string_member (object, "stream_end"), ==, "client");
}

/* 401 without a key, 403 without read:executions, 404 for an execution of another
 * workspace or none. A viewer and an executor key may watch (the RBAC table gives both
 * read:executions and read:flows). */
static void
test_access (Fixture       *fixture,
             gconstpointer  data)
{
  g_autoptr(JsonNode) body = NULL;
  g_autofree char *id_b = NULL;
  g_autofree char *path_b = NULL;
  g_autofree char *id_a = NULL;
  g_autofree char *path_a = NULL;
  const Key watchers[] = { KEY_VIEWER_A, KEY_EXECUTOR_A, KEY_EXECUTIONS_ONLY_A };

  create_chain (fixture, fixture->keys[KEY_OWNER_B], "chain-b");
  id_b = execute (fixture, fixture->keys[KEY_OWNER_B], "chain-b", TRUE);
  path_b = g_strdup_printf ("/api/v1/executions/%s/events", id_b);
  create_chain (fixture, fixture->keys[KEY_OWNER_A], "chain-a");
  id_a = execute (fixture, fixture->keys[KEY_OWNER_A], "chain-a", TRUE);
  path_a = g_strdup_printf ("/api/v1/executions/%s/events", id_a);

  g_assert_cmpuint (call (fixture, NULL, "GET", "/api/v1/stream", NULL, &body), ==, 401);
  g_assert_cmpstr (error_code (body), ==, "unauthenticated");
  g_clear_pointer (&body, json_node_unref);
  g_assert_cmpuint (call (fixture, NULL, "GET", path_a, NULL, &body), ==, 401);
  g_clear_pointer (&body, json_node_unref);

  g_assert_cmpuint (call (fixture, fixture->keys[KEY_FLOWS_ONLY_A], "GET", "/api/v1/stream", NULL, &body), ==, 403);
  g_assert_cmpstr (error_code (body), ==, "forbidden");
  g_clear_pointer (&body, json_node_unref);
  g_assert_cmpuint (call (fixture, fixture->keys[KEY_FLOWS_ONLY_A], "GET", path_a, NULL, &body), ==, 403);
  g_clear_pointer (&body, json_node_unref);

  g_assert_cmpuint (call (fixture, fixture->keys[KEY_OWNER_A], "GET", path_b, NULL, &body), ==, 404);
  g_assert_cmpstr (error_code (body), ==, "not_found");
  g_clear_pointer (&body, json_node_unref);
  g_assert_cmpuint (call (fixture, fixture->keys[KEY_OWNER_A], "GET", "/api/v1/executions/nothing/events", NULL,
                          &body), ==, 404);
  g_clear_pointer (&body, json_node_unref);

  for (guint i = 0; i < G_N_ELEMENTS (watchers); i++)
    {
      g_autoptr(GPtrArray) events = read_history (fixture, fixture->keys[watchers[i]], id_a, "", NULL);
      g_autoptr(Stream) stream = NULL;
      guint status;

      g_assert_cmpuint (events->len, >=, 4);
      stream = stream_open (fixture, fixture->keys[watchers[i]], "/api/v1/stream", NULL, &status);
      g_assert_cmpuint (status, ==, 200);
    }

  /* HEAD answers the stream's headers, without a body or a subscription. */
  g_assert_cmpuint (call (fixture, fixture->keys[KEY_VIEWER_A], "HEAD", "/api/v1/stream", NULL, NULL), ==, 200);
  wait_for_open_count (fixture, 0);
}

static gboolean
advance_cb (gpointer data)
{
  Fixture *fixture = data;

  deca_manual_clock_advance (fixture->clock, DECA_API_STREAMS_DEFAULT_KEEPALIVE_US);
  return G_SOURCE_REMOVE;
}

/* Every 15 s of the streams' clock each open stream gets a comment. */
static void
test_keepalive (Fixture       *fixture,
                gconstpointer  data)
{
  g_autoptr(Stream) stream = NULL;
  g_autoptr(Event) first = NULL;
  g_autoptr(Event) second = NULL;
  guint status;

  stream = stream_open (fixture, fixture->keys[KEY_VIEWER_A], "/api/v1/stream", NULL, &status);
  g_assert_cmpuint (status, ==, 200);
  deca_test_server_invoke (fixture->test, advance_cb, fixture);
  first = stream_next_any (stream);
  g_assert_nonnull (first);
  g_assert_cmpstr (first->comment, ==, "keep-alive");
  deca_test_server_invoke (fixture->test, advance_cb, fixture);
  second = stream_next_any (stream);
  g_assert_cmpstr (second->comment, ==, "keep-alive");
}

static gboolean
tiny_queue_cb (gpointer data)
{
  Fixture *fixture = data;

  deca_api_streams_set_max_queued_bytes (fixture->streams, 1);
  return G_SOURCE_REMOVE;
}

/* A stream whose client lets more than the limit wait is closed with a final
 * stream.overflow event. The executor emits the first events of an execution in one go,
 * before anything is written: with a limit of one byte the second one overflows. */
static void
test_overflow (Fixture       *fixture,
               gconstpointer  data)
{
  const char *key = fixture->keys[KEY_OWNER_A];
  g_autoptr(Stream) stream = NULL;
  g_autoptr(Event) first = NULL;
  g_autoptr(Event) last = NULL;
  g_autoptr(Event) end = NULL;
  guint status;

  create_chain (fixture, key, "chain");
  deca_test_server_invoke (fixture->test, tiny_queue_cb, fixture);
  stream = stream_open (fixture, key, "/api/v1/stream", NULL, &status);
  g_assert_cmpuint (status, ==, 200);
  g_free (execute (fixture, key, "chain", FALSE));
  first = stream_next (stream);
  g_assert_cmpstr (first->type, ==, "execution.started");
  last = stream_next (stream);
  g_assert_cmpstr (last->type, ==, "stream.overflow");
  g_assert_nonnull (event_string (last, "message"));
  end = stream_next (stream);
  g_assert_null (end);
  wait_for_open_count (fixture, 0);
}

/* With a read timeout of 1 s, an idle stream outlives it: a raw connection that sends
 * nothing is dropped (so the timeout passed), and the stream still gets events. */
static void
test_read_timeout (Fixture       *fixture,
                   gconstpointer  data)
{
  const char *key = fixture->keys[KEY_OWNER_A];
  g_autoptr(GSocketClient) client = g_socket_client_new ();
  g_autoptr(GSocketConnection) idle = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(Stream) stream = NULL;
  g_autoptr(Event) event = NULL;
  char byte;
  guint status;

  create_chain (fixture, key, "chain");
  stream = stream_open (fixture, key, "/api/v1/stream", NULL, &status);
  g_assert_cmpuint (status, ==, 200);

  idle = g_socket_client_connect_to_host (client, "127.0.0.1", fixture->test->port, NULL, &error);
  g_assert_no_error (error);
  /* Blocks until the server drops the idle connection (end of input). */
  g_assert_cmpint (g_input_stream_read (g_io_stream_get_input_stream (G_IO_STREAM (idle)), &byte, 1, NULL, &error),
                   ==, 0);
  g_assert_cmpuint (deca_api_streams_get_open_count (fixture->streams), ==, 1);

  g_free (execute (fixture, key, "chain", FALSE));
  event = stream_next (stream);
  g_assert_nonnull (event);
  g_assert_cmpstr (event->type, ==, "execution.started");
  assert_api_trigger (event);
}

/* A stream is one request: one access log line and one count in http_requests_total,
 * written when it ended, with its events and bytes. */
static void
test_access_log (Fixture       *fixture,
                 gconstpointer  data)
{
  const char *key = fixture->keys[KEY_OWNER_A];
  const char *series = "http_requests_total{method=\"GET\",route=\"/api/v1/executions/{id}/events\",status=\"200\"}";
  g_autoptr(GPtrArray) events = NULL;
  g_autofree char *id = NULL;
  g_autofree char *log = NULL;
  g_auto(GStrv) lines = NULL;
  guint found = 0;

  create_chain (fixture, key, "chain");
  id = execute (fixture, key, "chain", TRUE);
  events = read_history (fixture, key, id, "", NULL);
  /* The line is written once the last byte is out, which the client saw just now. */
  for (guint i = 0; i < 2000 && metric (fixture, series) < 1; i++)
    g_usleep (1000);
  g_assert_cmpfloat (metric (fixture, series), ==, 1);

  g_assert_true (g_file_get_contents (fixture->test->log_path, &log, NULL, NULL));
  lines = g_strsplit (log, "\n", -1);
  for (guint i = 0; lines[i] != NULL; i++)
    {
      g_autoptr(JsonNode) node = NULL;
      JsonObject *object;

      if (*lines[i] == '\0' || !(node = json_from_string (lines[i], NULL)))
        continue;
      object = object_of (node);
      if (g_strcmp0 (json_object_get_string_member_with_default (object, "route", NULL),
                     "/api/v1/executions/{id}/events") != 0)
        continue;
      g_assert_cmpstr (json_object_get_string_member (object, "message"), ==, "request");
      g_assert_cmpint (json_object_get_int_member (object, "status"), ==, 200);
      g_assert_cmpint (json_object_get_int_member (object, "stream_events"), ==, events->len);
      g_assert_cmpint (json_object_get_int_member (object, "stream_bytes"), >, 0);
      g_assert_cmpstr (json_object_get_string_member (object, "stream_end"), ==, "complete");
      /* No key in the log. */
      g_assert_null (strstr (lines[i], key));
      found++;
    }
  g_assert_cmpuint (found, ==, 1);
}

static gboolean
shutdown_cb (gpointer data)
{
  Fixture *fixture = data;

  deca_server_shutdown (fixture->server, DECA_SERVER_DEFAULT_SHUTDOWN_TIMEOUT_US);
  return G_SOURCE_REMOVE;
}

/* deca_server_shutdown() with a workspace stream and an execution stream open: each
 * gets server.stopping (without an id, so Last-Event-ID stays the last seq) and then a
 * complete end of its answer (a cut chunked body is a read error here), and each
 * exchange is over, logged as ended by the shutdown, before the server stops. */
static void
test_shutdown (Fixture       *fixture,
               gconstpointer  data)
{
  const char *key = fixture->keys[KEY_OWNER_A];
  g_autoptr(JsonNode) body = NULL;
  g_autoptr(Stream) workspace = NULL;
  g_autoptr(Stream) execution = NULL;
  g_autofree char *id = NULL;
  g_autofree char *path = NULL;
  g_autofree char *log = NULL;
  g_auto(GStrv) lines = NULL;
  Stream *streams[2];
  guint status, ended = 0;

  g_assert_cmpuint (call (fixture, key, "POST", "/api/v1/flows", approval_flow, &body), ==, 201);
  id = execute (fixture, key, "appr", FALSE);
  wait_for_status (fixture, key, id, "paused");
  workspace = stream_open (fixture, key, "/api/v1/stream", NULL, &status);
  g_assert_cmpuint (status, ==, 200);
  path = g_strdup_printf ("/api/v1/executions/%s/events", id);
  execution = stream_open (fixture, key, path, NULL, &status);
  g_assert_cmpuint (status, ==, 200);
  wait_for_open_count (fixture, 2);

  deca_test_server_invoke (fixture->test, shutdown_cb, fixture);
  g_assert_cmpuint (deca_api_streams_get_open_count (fixture->streams), ==, 0);

  streams[0] = workspace;
  streams[1] = execution;
  for (guint i = 0; i < G_N_ELEMENTS (streams); i++)
    {
      g_autoptr(Event) last = NULL;
      g_autoptr(Event) end = NULL;

      /* The execution stream has its history first. */
      for (;;)
        {
          g_autoptr(Event) event = stream_next (streams[i]);

          g_assert_nonnull (event);
          if (g_str_equal (event->type, "server.stopping"))
            {
              last = g_steal_pointer (&event);
              break;
            }
          g_assert_true (i == 1);
        }
      g_assert_null (last->id);
      g_assert_cmpstr (event_string (last, "type"), ==, "server.stopping");
      g_assert_nonnull (event_string (last, "message"));
      end = stream_next (streams[i]);
      g_assert_null (end);
    }

  g_assert_true (g_file_get_contents (fixture->test->log_path, &log, NULL, NULL));
  lines = g_strsplit (log, "\n", -1);
  for (guint i = 0; lines[i] != NULL; i++)
    {
      g_autoptr(JsonNode) node = NULL;
      JsonObject *object;

      if (*lines[i] == '\0' || !(node = json_from_string (lines[i], NULL)))
        continue;
      object = object_of (node);
      if (json_object_has_member (object, "stream_end"))
        {
          g_assert_cmpstr (json_object_get_string_member (object, "stream_end"), ==, "shutdown");
          ended++;
        }
    }
  g_assert_cmpuint (ended, ==, 2);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

#define ADD(path, func, timeout) \
  g_test_add ("/deca/server/streams/" path, Fixture, GUINT_TO_POINTER (timeout), fixture_setup, func, fixture_teardown)
  ADD ("execution-live", test_execution_live, 0);
  ADD ("execution-history", test_execution_history, 0);
  ADD ("execution-resume", test_execution_resume, 0);
  ADD ("workspace", test_workspace_stream, 0);
  ADD ("workspace-types", test_workspace_types, 0);
  ADD ("client-gone", test_client_gone, 0);
  ADD ("access", test_access, 0);
  ADD ("keepalive", test_keepalive, 0);
  ADD ("overflow", test_overflow, 0);
  ADD ("read-timeout", test_read_timeout, 1);
  ADD ("access-log", test_access_log, 0);
  ADD ("shutdown", test_shutdown, 0);
#undef ADD

  return g_test_run ();
}
