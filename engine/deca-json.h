#pragma once

#include <json-glib/json-glib.h>

G_BEGIN_DECLS

/* Parses JSON text. A syntax error is DECA_ENGINE_ERROR_PARSE with a message
 * "line L, column C: what" (1-based); empty input is "the document is empty".
 * Returns (transfer full) the root. */
JsonNode *deca_json_parse          (const char  *data,
                                    gssize       length,
                                    GError     **error);

/* The quick path of deca_json_parse() and of the server's request bodies: returns
 * (transfer full) the tree of the @length bytes of @data (valid UTF-8 without NUL, which
 * the caller has checked) when they are plain RFC 8259 JSON of the kind this parser
 * takes, else NULL, and the caller parses with json-glib, which gives the same tree for
 * everything taken here and its error for the rest. Not taken: duplicate member names,
 * exponents, integers of more than 18 digits, \u0000 and lone surrogates, control
 * characters in strings, nesting deeper than 64. Members keep their order, integers are
 * G_TYPE_INT64 and numbers with a fraction G_TYPE_DOUBLE, as json-glib makes them. */
JsonNode *deca_json_try_parse      (const char  *data,
                                    gsize        length);

/* Returns (transfer full) @node as JSON text; NULL gives "null". Doubles are written in
 * their shortest exact form; @pretty indents by two spaces. */
char     *deca_json_to_string      (JsonNode    *node,
                                    gboolean     pretty);

/* The shortest text that reads back as the same double (0.1, not 0.10000000000000001),
 * as printf's %g writes it: no ".0" for integral values. */
void      deca_json_format_double  (double       value,
                                    char        *buffer,
                                    gsize        size);
/* The member @name of @object when it is a string / an object, else NULL (absent, another
 * type, or @object NULL). Returns (transfer none). */
const char *deca_json_object_get_string (JsonObject  *object,
                                         const char  *name);
JsonObject *deca_json_object_get_object (JsonObject  *object,
                                         const char  *name);

/* Whether @node (nullable) is a JSON number, held as an integer or a double; then its value
 * goes to @value (nullable). FALSE for NULL, other types and JSON null. */
gboolean    deca_json_node_get_number   (JsonNode    *node,
                                         double      *value);
/* The same for the member @name of @object: FALSE when @object is NULL or the member is
 * absent or not a number; @value is left as it is then. */
gboolean    deca_json_object_get_number (JsonObject  *object,
                                         const char  *name,
                                         double      *value);

/* Whether JSON @text (@length bytes) nests arrays and objects deeper than @max_depth
 * (brackets inside strings do not count); then the byte offset where it first does goes to
 * @offset (nullable). json-glib's parser recurses once per level, so input from outside is
 * checked with this before it is parsed: a few kilobytes of brackets overflow a stack. */
gboolean    deca_json_text_too_deep     (const char  *text,
                                         gsize        length,
                                         guint        max_depth,
                                         gsize       *offset);

/* Splits the RFC 6901 pointer @pointer into its unescaped tokens: "/headers/a~1b" gives
 * { "headers", "a/b" }, "/" and "" give none. A @pointer that does not start with "/" is
 * one member name, taken as it is ("url"). Returns (transfer full). */
GStrv       deca_json_pointer_split     (const char  *pointer);
/* Returns (transfer none) (nullable) the value at @pointer inside @object ("/auth/type":
 * the member "type" of the object member "auth"); NULL when a step is absent or not an
 * object, and for a pointer without tokens. */
JsonNode   *deca_json_object_lookup     (JsonObject  *object,
                                         const char  *pointer);

/* "object", "array", "string", "number", "boolean" or "null", for messages. */
const char *deca_json_type_name    (JsonNode    *node);

/* Appends @text as a JSON string literal / @value as a JSON number. */
void      deca_json_append_string  (GString     *out,
                                    const char  *text);
void      deca_json_append_double  (GString     *out,
                                    double       value);

/* Returns (transfer full) a copy of @node that shares nothing with it (json_node_copy()
 * only references the objects and arrays inside), members in order. NULL stays NULL. */
JsonNode   *deca_json_deep_copy        (JsonNode    *node);
/* The same for an object. Returns (transfer full). */
JsonObject *deca_json_object_deep_copy (JsonObject  *object);
/* Returns (transfer full) a copy of @node, members in order, that shares not even its
 * scalar values with it (json_node_copy() references those too), sealed: a tree to hand
 * to several owners at once, none of which can change it, for no more than one copy. */
JsonNode   *deca_json_copy_sealed      (JsonNode    *node);

/* Returns (transfer full) a copy of @node in which every occurrence of any string of
 * @secrets (a set of non-empty strings) inside string values and object member names is
 * replaced by "[redacted]". When nothing matches, returns a new reference to @node. */
JsonNode *deca_json_redact         (JsonNode    *node,
                                    GHashTable  *secrets);

/* Redacts a plain string (logs, error messages). Returns (transfer full). */
char     *deca_string_redact       (const char  *text,
                                    GHashTable  *secrets);

/* Formats @time_us (µs since the epoch) as "2026-11-26T21:58:00.123Z" into @buffer. */
void      deca_format_time_iso8601 (gint64       time_us,
                                    char        *buffer,
                                    gsize        size);

G_END_DECLS
