#pragma once

/* deca-api-common.h: what the route files of the REST API share: the caller's access,
 * the answers for missing resources, reading bodies and query parameters, and the JSON
 * members of records (times, parsed JSON text, nullable strings). Never installed. */

#include <json-glib/json-glib.h>

#include "deca-principal.h"
#include "deca-request.h"

G_BEGIN_DECLS

/* Page sizes of the lists (?limit=). */
#define DEFAULT_PAGE_SIZE 50
#define MAX_PAGE_SIZE     200

/* Access: the caller when it may use the route (a principal with a workspace and the
 * route's permissions); otherwise answers 401 or 403 and returns NULL. */
const DecaPrincipal *_deca_api_require_principal (DecaRequest *request);
/* An audit line for @request: @action on @target, ok; @version (0: none) in the details. */
void      _deca_api_audit               (DecaRequest  *request,
                                         const char   *action,
                                         const char   *target,
                                         gint64        version);

/* Answers. */
/* Returns (transfer none) the translated sentence _deca_api_respond_not_found() answers
 * with for @what. */
const char *_deca_api_not_found_message (const char *what);
/* A 404 "No such @what in this workspace", a whole sentence per @what ("flow", "flow
 * version", "execution", "event"; add a row to not_found_messages in deca-api-common.c for
 * another). */
void      _deca_api_respond_not_found   (DecaRequest  *request,
                                         const char   *what);
/* A store or engine failure: not found (another workspace's resource too) as 404 naming
 * @what, the rest as deca_request_respond_error() maps it. */
void      _deca_api_respond_store_error (DecaRequest  *request,
                                         const GError *error,
                                         const char   *what);

/* Input. Each answers 400 and returns FALSE (NULL with *@ok FALSE) for bad input. */
gboolean  _deca_api_read_limit          (DecaRequest  *request,
                                         guint        *limit);
JsonObject *_deca_api_read_body_object  (DecaRequest  *request,
                                         gboolean      optional,
                                         gboolean     *ok);
gboolean  _deca_api_read_string_member  (DecaRequest  *request,
                                         JsonObject   *body,
                                         const char   *name,
                                         const char  **value);
/* If-Match: a version number, bare or as the ETag ("3", W/"3"); *@expected is 0 when the
 * header is absent. Anything else is a 400 with @message (translated, naming what the
 * version is of). */
gboolean  _deca_api_read_if_match       (DecaRequest  *request,
                                         const char   *message,
                                         gint64       *expected);

/* The details of a 422: {"problems": [{"pointer", "message"}, ...]} for @problems
 * (element-type DecaValidationProblem). Returns (transfer full) the node. */
JsonNode *_deca_api_problems_json       (GPtrArray    *problems);

/* JSON members. Every time the API answers has one form: ISO 8601 in UTC with
 * milliseconds, "2026-12-01T17:00:00.123Z". */
/* Returns (transfer full) @us (µs since the epoch) in that form, NULL when out of range. */
char     *_deca_api_format_time         (gint64        us);
/* Sets @name to the time @us, or null when @us is 0 (never happened). */
void      _deca_api_set_time_member     (JsonObject   *object,
                                         const char   *name,
                                         gint64        us);
/* Sets @name to the JSON text @text parsed, or null when NULL or unreadable. */
void      _deca_api_set_json_member     (JsonObject   *object,
                                         const char   *name,
                                         const char   *text);
/* Sets @name to @value, or null when NULL. */
void      _deca_api_set_nullable_string_member (JsonObject *object,
                                                const char *name,
                                                const char *value);

G_END_DECLS
