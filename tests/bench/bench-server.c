/* Server benchmarks: the real `deca serve` process on a loopback port, with its store in a
 * temporary data directory, under load from 32 keep-alive HTTP/1.1 connections.
 *   server_webhook_rps      requests answered per second: POST /webhook/WORKSPACE/PATH
 *                           to an active flow of three nodes (transform, condition,
 *                           respond), each request one execution persisted in the store
 *   server_webhook_p99_ms   the 99th percentile of the requests' latencies (send to
 *                           whole answer), and server_webhook_p50_ms the median
 *   server_webhook_cpu_us   the server's CPU time (user and system) per request: the
 *                           figure to compare builds by on a busy machine, where the
 *                           others depend on what else runs
 *   server_rss_mb           the server's resident memory (VmRSS) after a second, identical
 *                           run; the first run's is printed beside it, and a server whose
 *                           memory grew between the two is reported
 *
 * The load generator is here, on one thread: non-blocking sockets driven by epoll, each
 * connection sending its next request as soon as the previous answer arrived whole
 * (Content-Length or chunked). A warm-up precedes each measured interval; after it no new
 * request is sent and those in flight are waited for, so every request sent has an
 * answer. Afterwards the bench checks that every answer had the respond node's status and
 * body, and that the store holds exactly one finished execution (and its three node
 * results) per request. A failed check is a failure of the bench (exit status 1); a
 * missed target is not.
 *
 * Until a server has the webhook route (DECA_BENCH_SERVER_ROUTE=execute, or a server
 * without it), the same path is driven through POST /api/v1/flows/ID/execute?wait=true
 * with the owner key: the execution is started, persisted and answered the same way.
 *
 * DECA_BIN overrides the path of this build's `deca`; DECA_BENCH_SERVER_SECONDS the
 * measured interval (default 5); DECA_BENCH_SERVER_CONNECTIONS fewer connections (a
 * latency without queueing); DECA_BENCH_SERVER_WRAPPER a command the server runs
 * under, for profiling ("valgrind --tool=callgrind"). */

#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <glib/gstdio.h>
#include <json-glib/json-glib.h>
#include <libsoup/soup.h>
#include <sqlite3.h>

#include "deca-test-fs.h"

#define CONNECTIONS 32
#define WARMUP_SECONDS 1.0
#define DEFAULT_SECONDS 5.0
/* How long the requests in flight after an interval may take: a safety net, not a target. */
#define DRAIN_TIMEOUT_S 30
/* How much the resident memory may grow from the first run to the second. */
#define RSS_GROWTH_LIMIT_MB 4.0
#define FLOW_ID "bench-webhook"
#define WEBHOOK_PATH "bench/orders"
#define RESPOND_STATUS 201

/* The flow: a webhook trigger, a transform that normalises the order, a condition on its
 * amount, and a respond node that answers the caller from both. */
static const char flow_json[] =
  "{\"id\": \"" FLOW_ID "\", \"name\": \"Bench webhook\", \"version\": 1,"
  " \"triggers\": [{\"type\": \"webhook\", \"path\": \"/" WEBHOOK_PATH "\", \"method\": \"POST\"}],"
  " \"nodes\": ["
  "  {\"id\": \"normalise\", \"type\": \"transform\", \"config\": {\"set\": {"
  "    \"order_id\": \"{{input.body.order_id}}\","
  "    \"customer\": \"{{input.body.customer.name}}\","
  "    \"email\": \"{{lower(input.body.customer.email)}}\","
  "    \"amount\": \"{{input.body.amount}}\","
  "    \"currency\": \"{{input.body.currency ?? 'EUR'}}\","
  "    \"items\": \"{{length(input.body.items)}}\"}}},"
  "  {\"id\": \"is-large\", \"type\": \"condition\","
  "   \"config\": {\"expression\": \"{{normalise.amount}} > 100\"}},"
  "  {\"id\": \"respond\", \"type\": \"respond\", \"config\": {"
  "    \"status\": " G_STRINGIFY (RESPOND_STATUS) ","
  "    \"headers\": {\"X-Order\": \"{{normalise.order_id}}\"},"
  "    \"body\": {\"order_id\": \"{{normalise.order_id}}\", \"accepted\": true,"
  "              \"review\": \"{{is-large.result}}\", \"total\": \"{{normalise.amount}} {{normalise.currency}}\"}}}],"
  " \"connections\": ["
  "  {\"from\": \"normalise\", \"to\": \"is-large\"},"
  "  {\"from\": \"is-large\", \"from_port\": \"true\", \"to\": \"respond\"}],"
  " \"settings\": {\"timeout\": 30, \"error_strategy\": \"stop_on_error\"}}";

/* The order every request posts; its amount makes the condition true. */
#define ORDER_BODY \
  "{\"order_id\": \"A-10042\", \"customer\": {\"name\": \"Ada Lovelace\", \"email\": \"Ada@Example.com\"}," \
  " \"amount\": 142.5, \"currency\": \"EUR\", \"items\": [{\"sku\": \"X1\", \"qty\": 2}, {\"sku\": \"Y7\", \"qty\": 1}]}"

/* ---- the server ---------------------------------------------------------------------- */

typedef struct {
  char *dir;
  char *data_dir;
  char *key;
  char *workspace_id;
  GSubprocess *process;
  guint16 port;
  char *uri;
  SoupSession *session;
} Server;

static const char *
deca_binary (void)
{
  const char *bin = g_getenv ("DECA_BIN");

  return bin && *bin ? bin : DECA_BIN;
}

/* A benchmark that fails aborts; the server it started must not stay behind. */
static void
die_with_parent (gpointer data)
{
  prctl (PR_SET_PDEATHSIG, SIGKILL);
}

static GSubprocessLauncher *
server_launcher (GSubprocessFlags flags)
{
  g_autoptr(GSubprocessLauncher) launcher = g_subprocess_launcher_new (flags);
  g_auto(GStrv) env = g_get_environ ();

  /* The test runner's malloc checks and GLib debugging cost time and memory that a
   * deployed server does not spend. */
  env = g_environ_unsetenv (env, "MALLOC_CHECK_");
  env = g_environ_unsetenv (env, "MALLOC_PERTURB_");
  env = g_environ_unsetenv (env, "G_DEBUG");
  g_subprocess_launcher_set_environ (launcher, env);
  g_subprocess_launcher_set_child_setup (launcher, die_with_parent, NULL, NULL);
  return g_steal_pointer (&launcher);
}

/* `deca serve --init`: a workspace and its owner key, printed alone on stdout. */
static char *
init_data_dir (const char *data_dir)
{
  g_autoptr(GSubprocessLauncher) launcher =
    server_launcher (G_SUBPROCESS_FLAGS_STDOUT_PIPE | G_SUBPROCESS_FLAGS_STDERR_SILENCE);
  g_autoptr(GSubprocess) init = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *out = NULL;

  init = g_subprocess_launcher_spawn (launcher, &error, deca_binary (), "serve", "--init", "--data-dir", data_dir,
                                      NULL);
  if (init == NULL || !g_subprocess_communicate_utf8 (init, NULL, NULL, &out, NULL, &error))
    g_error ("cannot run deca serve --init: %s", error->message);
  if (!g_subprocess_get_if_exited (init) || g_subprocess_get_exit_status (init) != 0)
    g_error ("deca serve --init failed");
  g_strstrip (out);
  if (!g_str_has_prefix (out, "deca_"))
    g_error ("deca serve --init printed no key");
  return g_steal_pointer (&out);
}

static void
server_start (Server *server)
{
  g_autoptr(GSubprocessLauncher) launcher = server_launcher (G_SUBPROCESS_FLAGS_STDOUT_PIPE);
  g_autofree char *stderr_path = g_build_filename (server->dir, "serve.log", NULL);
  g_autoptr(GDataInputStream) output = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *line = NULL;
  const char *port;
  guint64 number;
  const char *wrapper = g_getenv ("DECA_BENCH_SERVER_WRAPPER");
  g_auto(GStrv) wrapper_argv = NULL;
  g_autoptr(GPtrArray) argv = NULL;

  /* The server's own logs (one access line per request, at the default level) go to a
   * file, as a deployed server's would. The rate limit is for API keys, which the
   * execute route uses; webhooks have none. */
  g_subprocess_launcher_set_stderr_file_path (launcher, stderr_path);
  argv = g_ptr_array_new ();
  /* For profiling: DECA_BENCH_SERVER_WRAPPER="valgrind --tool=callgrind" runs the server
   * under that command. */
  if (wrapper != NULL && *wrapper)
    {
      wrapper_argv = g_strsplit (wrapper, " ", 0);
      for (guint i = 0; wrapper_argv[i] != NULL; i++)
        if (*wrapper_argv[i])
          g_ptr_array_add (argv, wrapper_argv[i]);
    }
  g_ptr_array_add (argv, (char *) deca_binary ());
  g_ptr_array_add (argv, (char *) "serve");
  g_ptr_array_add (argv, (char *) "--listen");
  g_ptr_array_add (argv, (char *) "127.0.0.1:0");
  g_ptr_array_add (argv, (char *) "--data-dir");
  g_ptr_array_add (argv, server->data_dir);
  g_ptr_array_add (argv, (char *) "--rate-limit");
  g_ptr_array_add (argv, (char *) "off");
  g_ptr_array_add (argv, NULL);
  server->process = g_subprocess_launcher_spawnv (launcher, (const char * const *) argv->pdata, &error);
  if (server->process == NULL)
    g_error ("cannot start deca serve: %s", error->message);
  output = g_data_input_stream_new (g_subprocess_get_stdout_pipe (server->process));
  line = g_data_input_stream_read_line_utf8 (output, NULL, NULL, &error);
  if (line == NULL || !g_str_has_prefix (line, "Listening on http://127.0.0.1:"))
    g_error ("deca serve did not start (see %s)", stderr_path);
  server->uri = g_strdup (line + strlen ("Listening on "));
  port = strrchr (server->uri, ':') + 1;
  if (!g_ascii_string_to_unsigned (port, 10, 1, 65535, &number, NULL))
    g_error ("deca serve printed no port: %s", line);
  server->port = (guint16) number;
  server->session = soup_session_new ();
}

static Server *
server_new (void)
{
  Server *server = g_new0 (Server, 1);
  g_autoptr(GError) error = NULL;

  server->dir = g_dir_make_tmp ("deca-bench-server-XXXXXX", &error);
  if (server->dir == NULL)
    g_error ("cannot make a temporary directory: %s", error->message);
  server->data_dir = g_build_filename (server->dir, "data", NULL);
  server->key = init_data_dir (server->data_dir);
  server_start (server);
  return server;
}

static void
server_free (Server *server)
{
  g_subprocess_send_signal (server->process, SIGTERM);
  g_subprocess_wait (server->process, NULL, NULL);
  g_clear_object (&server->process);
  g_clear_object (&server->session);
  deca_test_remove_tree (server->dir);
  g_free (server->dir);
  g_free (server->data_dir);
  g_free (server->key);
  g_free (server->workspace_id);
  g_free (server->uri);
  g_free (server);
}

/* Sends @method @path with the owner key and @body (nullable); returns the status and
 * (transfer full, nullable) the parsed answer in *@out. */
static guint
api_call (Server      *server,
          const char  *method,
          const char  *path,
          const char  *body,
          JsonNode   **out)
{
  g_autofree char *uri = g_strconcat (server->uri, path, NULL);
  g_autofree char *authorization = g_strconcat ("Bearer ", server->key, NULL);
  g_autoptr(SoupMessage) message = soup_message_new (method, uri);
  g_autoptr(GBytes) response = NULL;
  g_autoptr(GError) error = NULL;
  gsize length;
  const char *data;

  soup_message_headers_append (soup_message_get_request_headers (message), "Authorization", authorization);
  if (body != NULL)
    {
      g_autoptr(GBytes) bytes = g_bytes_new (body, strlen (body));

      soup_message_set_request_body_from_bytes (message, "application/json", bytes);
    }
  response = soup_session_send_and_read (server->session, message, NULL, &error);
  if (response == NULL)
    g_error ("%s %s: %s", method, path, error->message);
  data = g_bytes_get_data (response, &length);
  *out = length > 0 ? json_from_string (data, NULL) : NULL;
  return soup_message_get_status (message);
}

/* Creates the flow and activates it, and learns the workspace's id. */
static void
server_setup_flow (Server *server)
{
  g_autoptr(JsonNode) body = NULL;
  guint status;

  status = api_call (server, "POST", "/api/v1/flows", flow_json, &body);
  if (status != 201)
    {
      g_autofree char *text = body ? json_to_string (body, FALSE) : g_strdup ("");
      g_error ("creating the flow: %u %s", status, text);
    }
  g_clear_pointer (&body, json_node_unref);
  if (api_call (server, "POST", "/api/v1/flows/" FLOW_ID "/activate", NULL, &body) != 200)
    g_error ("activating the flow failed");
  g_clear_pointer (&body, json_node_unref);
  if (api_call (server, "GET", "/api/v1/workspaces", NULL, &body) != 200 || body == NULL)
    g_error ("listing the workspaces failed");
  server->workspace_id = g_strdup (json_object_get_string_member (
    json_array_get_object_element (json_object_get_array_member (json_node_get_object (body), "items"), 0), "id"));
}

/* VmRSS of the server process, in MiB. */
static double
server_rss_mb (Server *server)
{
  g_autofree char *path = g_strdup_printf ("/proc/%s/status", g_subprocess_get_identifier (server->process));
  g_autofree char *status = NULL;
  const char *line;
  guint64 kib;

  if (!g_file_get_contents (path, &status, NULL, NULL) || !(line = strstr (status, "\nVmRSS:")))
    g_error ("cannot read the server's memory from %s", path);
  line += strlen ("\nVmRSS:");
  while (*line == ' ' || *line == '\t')
    line++;
  kib = g_ascii_strtoull (line, NULL, 10);
  return kib / 1024.0;
}

/* The CPU time the server process has used (user and system), in µs; its system part
 * in *@out_system_us. */
static gint64
server_cpu_us (Server *server,
               gint64 *out_system_us)
{
  g_autofree char *path = g_strdup_printf ("/proc/%s/stat", g_subprocess_get_identifier (server->process));
  g_autofree char *stat = NULL;
  g_auto(GStrv) fields = NULL;
  const char *after_name;

  /* The second field, the command, is in parentheses and may hold spaces. */
  if (!g_file_get_contents (path, &stat, NULL, NULL) || !(after_name = strrchr (stat, ')')))
    g_error ("cannot read the server's CPU time from %s", path);
  fields = g_strsplit (after_name + 2, " ", 0);
  if (g_strv_length (fields) < 13)
    g_error ("cannot read the server's CPU time from %s", path);
  /* Fields 14 and 15 of stat(5), utime and stime, are the 12th and 13th after the name. */
  *out_system_us = (gint64) g_ascii_strtoull (fields[12], NULL, 10) * G_USEC_PER_SEC / sysconf (_SC_CLK_TCK);
  return (gint64) (g_ascii_strtoull (fields[11], NULL, 10) + g_ascii_strtoull (fields[12], NULL, 10)) *
         G_USEC_PER_SEC / sysconf (_SC_CLK_TCK);
}

/* ---- the load generator ------------------------------------------------------------ */

typedef enum {
  ROUTE_WEBHOOK,
  ROUTE_EXECUTE,
} Route;

typedef struct {
  int fd;
  gsize written;       /* of the request being sent */
  gint64 sent_at;      /* µs, when its first byte went out; 0 when idle */
  gboolean stuck;      /* the request is half-sent: EPOLLOUT is watched */
  GByteArray *in;      /* what has arrived of the answer */
} Connection;

typedef struct {
  Server *server;
  char *request;        /* the whole request, sent again and again */
  gsize request_len;
  int epoll_fd;
  Connection connections[CONNECTIONS];
  guint n_connections;  /* CONNECTIONS, or fewer for experiments */
  gint64 measure_from;  /* µs: answers before this are the warm-up */
  gint64 measure_until; /* µs: no request is sent after this */
  GArray *latencies;    /* double, ms, of the requests answered in the interval */
  guint64 sent;         /* every request sent (the warm-up too) */
  guint64 answered;
  guint64 wrong;        /* answers without the respond node's status and body */
  guint64 reconnects;
  char *first_wrong;    /* the first wrong answer's start, to say what went wrong */
} Load;

static char *
build_request (Server *server,
               Route   route)
{
  g_autofree char *body = NULL;
  g_autofree char *target = NULL;
  g_autofree char *authorization = NULL;

  if (route == ROUTE_WEBHOOK)
    {
      body = g_strdup (ORDER_BODY);
      target = g_strdup_printf ("/webhook/%s/" WEBHOOK_PATH, server->workspace_id);
      authorization = g_strdup ("");
    }
  else
    {
      /* The input a webhook execution gets: the request's body and headers. */
      body = g_strdup ("{\"input\": {\"body\": " ORDER_BODY ", \"headers\": {\"content-type\": \"application/json\"}}}");
      target = g_strdup ("/api/v1/flows/" FLOW_ID "/execute?wait=true");
      authorization = g_strdup_printf ("Authorization: Bearer %s\r\n", server->key);
    }
  return g_strdup_printf ("POST %s HTTP/1.1\r\n"
                          "Host: 127.0.0.1:%u\r\n"
                          "User-Agent: deca-bench-server\r\n"
                          "%s"
                          "Content-Type: application/json\r\n"
                          "Content-Length: %zu\r\n"
                          "\r\n"
                          "%s",
                          target, server->port, authorization, strlen (body), body);
}

static void
connection_open (Load       *load,
                 Connection *connection)
{
  struct sockaddr_in address = { 0 };
  struct epoll_event event = { 0 };
  int one = 1;

  /* Connected before it is made non-blocking: on loopback that takes microseconds, and
   * the loop then never has to wait for a connection to come up. */
  connection->fd = socket (AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (connection->fd < 0)
    g_error ("socket: %s", g_strerror (errno));
  setsockopt (connection->fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  address.sin_family = AF_INET;
  address.sin_port = htons (load->server->port);
  address.sin_addr.s_addr = htonl (INADDR_LOOPBACK);
  if (connect (connection->fd, (struct sockaddr *) &address, sizeof address) < 0)
    g_error ("connect: %s", g_strerror (errno));
  if (fcntl (connection->fd, F_SETFL, fcntl (connection->fd, F_GETFL) | O_NONBLOCK) < 0)
    g_error ("fcntl: %s", g_strerror (errno));
  /* Readiness to write is asked for only while a request is stuck half-sent: a socket is
   * nearly always writable, and level-triggered EPOLLOUT would spin the loop. */
  event.events = EPOLLIN | EPOLLRDHUP;
  event.data.ptr = connection;
  if (epoll_ctl (load->epoll_fd, EPOLL_CTL_ADD, connection->fd, &event) < 0)
    g_error ("epoll_ctl: %s", g_strerror (errno));
  connection->written = 0;
  connection->sent_at = 0;
  connection->stuck = FALSE;
  g_byte_array_set_size (connection->in, 0);
}

static void
connection_close (Load       *load,
                  Connection *connection)
{
  epoll_ctl (load->epoll_fd, EPOLL_CTL_DEL, connection->fd, NULL);
  close (connection->fd);
  connection->fd = -1;
}

static void
connection_watch_output (Load       *load,
                         Connection *connection,
                         gboolean    output)
{
  struct epoll_event event = { 0 };

  event.events = EPOLLIN | EPOLLRDHUP | (output ? EPOLLOUT : 0);
  event.data.ptr = connection;
  if (epoll_ctl (load->epoll_fd, EPOLL_CTL_MOD, connection->fd, &event) < 0)
    g_error ("epoll_ctl: %s", g_strerror (errno));
}

/* Writes what is left of the request; FALSE when the connection broke. */
static gboolean
connection_write (Load       *load,
                  Connection *connection)
{
  gboolean was_stuck = connection->stuck;

  while (connection->written < load->request_len)
    {
      ssize_t n = send (connection->fd, load->request + connection->written, load->request_len - connection->written,
                        MSG_NOSIGNAL);

      if (n < 0 && errno == EINTR)
        continue;
      if (n < 0 && errno == EAGAIN)
        {
          connection->stuck = TRUE;
          if (!was_stuck)
            connection_watch_output (load, connection, TRUE);
          return TRUE;
        }
      if (n < 0)
        return FALSE;
      connection->written += (gsize) n;
    }
  connection->stuck = FALSE;
  if (was_stuck)
    connection_watch_output (load, connection, FALSE);
  return TRUE;
}

static void
connection_send (Load       *load,
                 Connection *connection)
{
  connection->written = 0;
  connection->sent_at = g_get_monotonic_time ();
  load->sent++;
  if (!connection_write (load, connection))
    g_error ("the server closed a connection while a request was sent");
}

/* Finds the end of a header block in @data; returns the offset of the body or 0. */
static gsize
headers_end (const guint8 *data,
             gsize         len)
{
  for (gsize i = 3; i < len; i++)
    if (data[i] == '\n' && data[i - 1] == '\r' && data[i - 2] == '\n' && data[i - 3] == '\r')
      return i + 1;
  return 0;
}

/* The value of header @name in the header block @headers (NUL-terminated), or NULL. */
static char *
header_value (const char *headers,
              const char *name)
{
  gsize name_len = strlen (name);

  for (const char *line = strstr (headers, "\r\n"); line != NULL; line = strstr (line, "\r\n"))
    {
      const char *end;

      line += 2;
      if (g_ascii_strncasecmp (line, name, name_len) != 0 || line[name_len] != ':')
        continue;
      end = strstr (line, "\r\n");
      return g_strstrip (g_strndup (line + name_len + 1, end - line - name_len - 1));
    }
  return NULL;
}

/* Decodes a chunked body from @data (@len bytes); returns the bytes it took when it is
 * complete, 0 when more must arrive. The decoded body goes to @body. */
static gsize
chunked_end (const guint8 *data,
             gsize         len,
             GString      *body)
{
  gsize at = 0;

  g_string_truncate (body, 0);
  for (;;)
    {
      const guint8 *eol = memchr (data + at, '\n', len - at);
      guint64 size;

      if (eol == NULL)
        return 0;
      size = g_ascii_strtoull ((const char *) data + at, NULL, 16);
      at = (gsize) (eol - data) + 1;
      if (size == 0)
        {
          /* No trailers are expected: the last chunk is followed by an empty line. */
          if (len - at < 2)
            return 0;
          return at + 2;
        }
      if (len - at < size + 2)
        return 0;
      g_string_append_len (body, (const char *) data + at, (gssize) size);
      at += size + 2;
    }
}

/* Checks one answer: the respond node's status and body (webhooks), or the finished
 * execution with the respond node's output (execute). */
static gboolean
answer_is_right (Route       route,
                 guint       status,
                 const char *body)
{
  if (route == ROUTE_WEBHOOK)
    return status == RESPOND_STATUS && strstr (body, "\"order_id\":\"A-10042\"") != NULL &&
           strstr (body, "\"review\":true") != NULL;
  return status == 200 && strstr (body, "\"status\":\"succeeded\"") != NULL &&
         strstr (body, "\"status\":" G_STRINGIFY (RESPOND_STATUS)) != NULL;
}

/* Takes whole answers off @connection's input; returns how many, or -1 when the
 * connection must be opened again (the server closed it). */
static int
connection_take_answers (Load       *load,
                         Connection *connection,
                         Route       route,
                         gint64      now)
{
  g_autoptr(GString) body = g_string_new (NULL);
  int taken = 0;

  for (;;)
    {
      GByteArray *in = connection->in;
      gsize body_at = headers_end (in->data, in->len);
      g_autofree char *headers = NULL;
      g_autofree char *length = NULL;
      g_autofree char *encoding = NULL;
      g_autofree char *connection_header = NULL;
      gsize total;
      guint status;

      if (body_at == 0)
        return taken;
      headers = g_strndup ((const char *) in->data, body_at);
      if (!g_str_has_prefix (headers, "HTTP/1.1 ") || strlen (headers) < 12)
        g_error ("the server answered something that is not HTTP/1.1: %.40s", headers);
      status = (guint) g_ascii_strtoull (headers + 9, NULL, 10);
      length = header_value (headers, "Content-Length");
      encoding = header_value (headers, "Transfer-Encoding");
      connection_header = header_value (headers, "Connection");
      if (encoding != NULL && g_ascii_strcasecmp (encoding, "chunked") == 0)
        {
          gsize used = chunked_end (in->data + body_at, in->len - body_at, body);

          if (used == 0)
            return taken;
          total = body_at + used;
        }
      else
        {
          guint64 size = length != NULL ? g_ascii_strtoull (length, NULL, 10) : 0;

          if (in->len < body_at + size)
            return taken;
          g_string_truncate (body, 0);
          g_string_append_len (body, (const char *) in->data + body_at, (gssize) size);
          total = body_at + (gsize) size;
        }

      load->answered++;
      if (!answer_is_right (route, status, body->str))
        {
          load->wrong++;
          if (load->first_wrong == NULL)
            load->first_wrong = g_strdup_printf ("%u %.300s", status, body->str);
        }
      if (connection->sent_at >= load->measure_from)
        {
          double ms = (now - connection->sent_at) / 1000.0;

          g_array_append_val (load->latencies, ms);
        }
      connection->sent_at = 0;
      g_byte_array_remove_range (in, 0, (guint) total);
      taken++;
      if (connection_header != NULL && g_ascii_strcasecmp (connection_header, "close") == 0)
        return -1;
    }
}

static int
compare_doubles (gconstpointer a,
                 gconstpointer b)
{
  double x = *(const double *) a, y = *(const double *) b;

  return x < y ? -1 : x > y;
}

/* The @p quantile (0 to 1) of the sorted @values. */
static double
quantile (GArray *values,
          double  p)
{
  guint index;

  if (values->len == 0)
    return 0;
  index = (guint) (p * (values->len - 1) + 0.5);
  return g_array_index (values, double, MIN (index, values->len - 1));
}

typedef struct {
  double rps;
  double p50_ms;
  double p99_ms;
  double cpu_us;        /* the server's CPU time per request, warm-up included */
  double system_us;     /* the part of it in the kernel */
  guint64 sent;
} RunResult;

/* Drives the server with CONNECTIONS connections: warm-up, then @seconds measured, then
 * the requests in flight. */
static RunResult
run_load (Server *server,
          Route   route,
          double  seconds,
          guint   n_connections)
{
  Load load = { 0 };
  RunResult result = { 0 };
  gint64 start, drain_deadline, cpu_start, system_start, system_end;
  guint busy;

  load.server = server;
  load.n_connections = n_connections;
  load.request = build_request (server, route);
  load.request_len = strlen (load.request);
  load.latencies = g_array_new (FALSE, FALSE, sizeof (double));
  load.epoll_fd = epoll_create1 (EPOLL_CLOEXEC);
  if (load.epoll_fd < 0)
    g_error ("epoll_create1: %s", g_strerror (errno));

  cpu_start = server_cpu_us (server, &system_start);
  start = g_get_monotonic_time ();
  load.measure_from = start + (gint64) (WARMUP_SECONDS * G_USEC_PER_SEC);
  load.measure_until = load.measure_from + (gint64) (seconds * G_USEC_PER_SEC);
  for (guint i = 0; i < load.n_connections; i++)
    {
      load.connections[i].in = g_byte_array_new ();
      connection_open (&load, &load.connections[i]);
      connection_send (&load, &load.connections[i]);
    }

  drain_deadline = load.measure_until + DRAIN_TIMEOUT_S * G_USEC_PER_SEC;
  do
    {
      struct epoll_event events[CONNECTIONS];
      int n = epoll_wait (load.epoll_fd, events, CONNECTIONS, 100);
      gint64 now = g_get_monotonic_time ();

      if (n < 0 && errno != EINTR)
        g_error ("epoll_wait: %s", g_strerror (errno));
      for (int i = 0; i < n; i++)
        {
          Connection *connection = events[i].data.ptr;
          gboolean closed = FALSE;
          int taken;

          if (connection->sent_at != 0 && connection->written < load.request_len &&
              !connection_write (&load, connection))
            g_error ("the server closed a connection while a request was sent");
          if (events[i].events & (EPOLLIN | EPOLLRDHUP | EPOLLHUP | EPOLLERR))
            {
              guint8 buffer[16384];

              for (;;)
                {
                  ssize_t got = recv (connection->fd, buffer, sizeof buffer, 0);

                  if (got > 0)
                    g_byte_array_append (connection->in, buffer, (guint) got);
                  else if (got == 0 || (errno != EAGAIN && errno != EINTR))
                    {
                      closed = TRUE;
                      break;
                    }
                  else if (errno == EAGAIN)
                    break;
                }
            }
          taken = connection_take_answers (&load, connection, route, now);
          if (taken < 0 || (closed && connection->sent_at == 0))
            {
              /* The server ended the connection after an answer: a new one goes on. */
              connection_close (&load, connection);
              load.reconnects++;
              connection_open (&load, connection);
            }
          else if (closed)
            g_error ("the server closed a connection before it answered (%" G_GUINT64_FORMAT " answered)",
                     load.answered);
          if (connection->sent_at == 0 && now < load.measure_until)
            connection_send (&load, connection);
        }
      busy = 0;
      for (guint i = 0; i < load.n_connections; i++)
        busy += load.connections[i].sent_at != 0;
      if (g_get_monotonic_time () > drain_deadline)
        g_error ("%u requests got no answer within %d s", busy, DRAIN_TIMEOUT_S);
    }
  while (busy > 0 || g_get_monotonic_time () < load.measure_until);

  for (guint i = 0; i < load.n_connections; i++)
    {
      connection_close (&load, &load.connections[i]);
      g_byte_array_unref (load.connections[i].in);
    }
  close (load.epoll_fd);

  if (load.wrong > 0)
    {
      g_printerr ("FAIL: %" G_GUINT64_FORMAT " of %" G_GUINT64_FORMAT " answers were not the respond node's; the "
                  "first: %s\n", load.wrong, load.answered, load.first_wrong);
      exit (1);
    }
  if (load.reconnects > 0)
    g_printerr ("# the server closed %" G_GUINT64_FORMAT " kept-alive connections\n", load.reconnects);
  g_array_sort (load.latencies, compare_doubles);
  result.rps = load.latencies->len / seconds;
  result.p50_ms = quantile (load.latencies, 0.50);
  result.p99_ms = quantile (load.latencies, 0.99);
  result.sent = load.sent;
  result.cpu_us = (server_cpu_us (server, &system_end) - cpu_start) / (double) MAX (load.answered, 1);
  result.system_us = (system_end - system_start) / (double) MAX (load.answered, 1);
  g_array_unref (load.latencies);
  g_free (load.request);
  g_free (load.first_wrong);
  return result;
}

/* ---- what the store holds ------------------------------------------------------------ */

/* The finished executions of the flow in the store, and their node results: the store is
 * read directly (WAL lets a reader in beside the server), since paging the API through
 * tens of thousands of executions would be a benchmark of its own. */
static void
count_stored (Server  *server,
              guint64 *out_executions,
              guint64 *out_succeeded,
              guint64 *out_node_results)
{
  g_autofree char *path = g_build_filename (server->data_dir, "deca.db", NULL);
  sqlite3 *db = NULL;
  sqlite3_stmt *statement = NULL;
  const char *sql =
    "SELECT count(*), coalesce(sum(status = 'succeeded'), 0),"
    " (SELECT count(*) FROM node_results r JOIN executions x ON x.pk = r.execution_pk"
    "  WHERE x.flow_id = '" FLOW_ID "' AND r.status = 'succeeded')"
    " FROM executions WHERE flow_id = '" FLOW_ID "'";

  if (sqlite3_open_v2 (path, &db, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK)
    g_error ("cannot open the server's store %s: %s", path, sqlite3_errmsg (db));
  sqlite3_busy_timeout (db, 5000);
  if (sqlite3_prepare_v2 (db, sql, -1, &statement, NULL) != SQLITE_OK || sqlite3_step (statement) != SQLITE_ROW)
    g_error ("cannot count the executions: %s", sqlite3_errmsg (db));
  *out_executions = (guint64) sqlite3_column_int64 (statement, 0);
  *out_succeeded = (guint64) sqlite3_column_int64 (statement, 1);
  *out_node_results = (guint64) sqlite3_column_int64 (statement, 2);
  sqlite3_finalize (statement);
  sqlite3_close (db);
}

/* Every request is one execution that succeeded, with its three node results. A webhook
 * answered by its respond node may be answered just before its execution's last
 * checkpoint commits: the count is given a moment to settle. */
static void
check_stored (Server  *server,
              guint64  expected)
{
  guint64 executions = 0, succeeded = 0, results = 0;
  gint64 deadline = g_get_monotonic_time () + 10 * G_USEC_PER_SEC;

  do
    {
      count_stored (server, &executions, &succeeded, &results);
      if (succeeded == expected && results == 3 * expected)
        break;
      g_usleep (20000);
    }
  while (g_get_monotonic_time () < deadline);

  g_print ("# stored: %" G_GUINT64_FORMAT " executions (%" G_GUINT64_FORMAT " succeeded), %" G_GUINT64_FORMAT
           " node results, for %" G_GUINT64_FORMAT " requests\n", executions, succeeded, results, expected);
  if (executions != expected || succeeded != expected || results != 3 * expected)
    {
      g_printerr ("FAIL: the store does not hold one succeeded execution with 3 node results per request\n");
      exit (1);
    }
}

/* ---- main ---------------------------------------------------------------------------- */

/* Whether the server has the webhook route: an unknown workspace's webhook is a 404 from
 * the route (JSON naming it), where a server without one says there is no resource. */
static gboolean
has_webhooks (Server *server)
{
  g_autofree char *uri = g_strdup_printf ("%s/webhook/%s/" WEBHOOK_PATH, server->uri, server->workspace_id);
  g_autoptr(SoupMessage) message = soup_message_new ("POST", uri);
  g_autoptr(GBytes) body = g_bytes_new_static (ORDER_BODY, strlen (ORDER_BODY));
  g_autoptr(GBytes) response = NULL;
  g_autoptr(GError) error = NULL;

  soup_message_set_request_body_from_bytes (message, "application/json", body);
  response = soup_session_send_and_read (server->session, message, NULL, &error);
  if (response == NULL)
    g_error ("POST %s: %s", uri, error->message);
  return soup_message_get_status (message) == RESPOND_STATUS;
}

int
main (int   argc,
      char *argv[])
{
  const char *route_name = g_getenv ("DECA_BENCH_SERVER_ROUTE");
  const char *seconds_text = g_getenv ("DECA_BENCH_SERVER_SECONDS");
  const char *connections_text = g_getenv ("DECA_BENCH_SERVER_CONNECTIONS");
  double seconds = seconds_text && *seconds_text ? g_ascii_strtod (seconds_text, NULL) : DEFAULT_SECONDS;
  guint64 n_connections = CONNECTIONS;
  Server *server;
  Route route;
  RunResult first, second;
  double rss_first, rss_second;
  guint64 expected = 0;

  if (seconds <= 0)
    seconds = DEFAULT_SECONDS;
  if (connections_text != NULL &&
      !g_ascii_string_to_unsigned (connections_text, 10, 1, CONNECTIONS, &n_connections, NULL))
    g_error ("DECA_BENCH_SERVER_CONNECTIONS wants 1 to %d", CONNECTIONS);
  server = server_new ();
  server_setup_flow (server);
  if (route_name != NULL && g_str_equal (route_name, "execute"))
    route = ROUTE_EXECUTE;
  else if (has_webhooks (server))
    {
      route = ROUTE_WEBHOOK;
      expected++;   /* the probe was one execution too */
    }
  else
    {
      route = ROUTE_EXECUTE;
      g_print ("# this server has no webhook route: driving POST /api/v1/flows/ID/execute?wait=true\n");
    }

  first = run_load (server, route, seconds, n_connections);
  expected += first.sent;
  check_stored (server, expected);
  rss_first = server_rss_mb (server);
  second = run_load (server, route, seconds, n_connections);
  expected += second.sent;
  check_stored (server, expected);
  rss_second = server_rss_mb (server);

  g_print ("# %s, %u connections, %.0f s measured after %.0f s of warm-up; run 2: %.0f requests/s, p50 %.2f ms, "
           "p99 %.2f ms, %.0f us of server CPU per request (%.0f us in the kernel)\n", route == ROUTE_WEBHOOK ? "POST /webhook/WS/PATH" : "POST /api/v1/flows/ID/execute?wait=true",
           (guint) n_connections, seconds, WARMUP_SECONDS, second.rps, second.p50_ms, second.p99_ms, second.cpu_us, second.system_us);
  g_print ("# resident memory: %.1f MB after run 1, %.1f MB after run 2\n", rss_first, rss_second);
  g_print ("BENCH server_webhook_rps %.0f requests/s\n", first.rps);
  g_print ("BENCH server_webhook_p50_ms %.2f ms\n", first.p50_ms);
  g_print ("BENCH server_webhook_p99_ms %.2f ms\n", first.p99_ms);
  g_print ("BENCH server_webhook_cpu_us %.0f us\n", first.cpu_us);
  g_print ("BENCH server_rss_mb %.1f MB\n", rss_second);
  if (rss_second > rss_first + RSS_GROWTH_LIMIT_MB)
    g_print ("# NOTE: the server's memory grew by %.1f MB from run 1 to run 2\n", rss_second - rss_first);

  server_free (server);
  return 0;
}
