#pragma once

#include <stdio.h>
#include <glib-object.h>
#include <json-glib/json-glib.h>

G_BEGIN_DECLS

/*
 * DecaLog: the server's structured log. Every line is one JSON object:
 *
 *   {"time": "2026-12-01T16:30:00.123Z", "level": "info", "message": "...",
 *    "trace_id": "...", "method": "GET", "route": "/api/v1/flows/{id}",
 *    "status": 200, "duration_ms": 1.25, ...}
 *
 * Only the members a line has are written. Lines are written whole (one write per line,
 * under a lock) and flushed, so lines from several threads never interleave. A log never
 * carries a request header value or a body: callers pass the fields below, and
 * deca_log_is_secret_header() names the headers that must never be logged in any form.
 */

typedef enum {
  DECA_LOG_DEBUG,
  DECA_LOG_INFO,
  DECA_LOG_WARNING,
  DECA_LOG_ERROR,
} DecaLogLevel;

/* The request members of a line; every field may be NULL / 0 (left out). */
typedef struct {
  const char *trace_id;
  const char *method;
  const char *route;      /* the route's pattern, never the raw path */
  guint       status;     /* 0: left out */
  double      duration_ms; /* < 0: left out */
} DecaLogFields;

#define DECA_TYPE_LOG (deca_log_get_type ())
G_DECLARE_FINAL_TYPE (DecaLog, deca_log, DECA, LOG, GObject)

/* A log writing to @stream (not owned, not closed: stderr, or a test's memstream), lines
 * below @min_level dropped. */
DecaLog     *deca_log_new            (FILE          *stream,
                                      DecaLogLevel   min_level);
DecaLogLevel deca_log_get_min_level  (DecaLog       *self);
void         deca_log_set_min_level  (DecaLog       *self,
                                      DecaLogLevel   min_level);

/* Writes one line. @fields may be NULL; @extra (nullable, transfer none) adds members of
 * its own (after the standard ones; members with a standard name are ignored). */
void         deca_log_write          (DecaLog             *self,
                                      DecaLogLevel         level,
                                      const DecaLogFields *fields,
                                      JsonObject          *extra,
                                      const char          *message);
void         deca_log_writef         (DecaLog             *self,
                                      DecaLogLevel         level,
                                      const DecaLogFields *fields,
                                      const char          *format,
                                      ...) G_GNUC_PRINTF (4, 5);

/* "debug", "info", "warning", "error". */
const char  *deca_log_level_to_string (DecaLogLevel level);
/* Parses a level name; FALSE when @name is none of them. */
gboolean     deca_log_level_from_string (const char   *name,
                                         DecaLogLevel *level);

/* TRUE for the request headers that carry secrets (Authorization, Proxy-Authorization,
 * Cookie, Set-Cookie, X-Api-Key; any case): they never reach a log line. */
gboolean     deca_log_is_secret_header (const char *name);

G_END_DECLS
