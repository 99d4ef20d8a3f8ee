#pragma once

#include <glib.h>
#include <json-glib/json-glib.h>

G_BEGIN_DECLS

/*
 * The expression and template language (docs/expressions.md).
 *
 * One parser serves conditions ("{{validate-input.success}} === true", or the same without
 * braces) and templates ("Persona for {{input.customer.name}}"). Parsing happens once;
 * evaluation is bounded (nesting depth, size of produced values, steps) and does no I/O.
 */

typedef struct _DecaExpr DecaExpr;
typedef struct _DecaTemplate DecaTemplate;

/**
 * DecaExprResolveFunc:
 * @name: a root identifier of a path, such as "input", "validate-input" or "credentials"
 * @user_data: the scope's data
 *
 * Returns: (transfer none) (nullable): the value of @name, or %NULL when @name is unknown
 * (which makes evaluation fail with DECA_ENGINE_ERROR_EVALUATION "unknown reference").
 * The node must stay alive for the duration of the evaluation.
 */
typedef JsonNode *(*DecaExprResolveFunc) (const char *name, gpointer user_data);

/**
 * DecaExprScope:
 * @resolve: looks up root identifiers
 * @user_data: passed to @resolve
 * @now_us: the wall-clock time that now() returns, in µs since the epoch; 0 means the real
 *   time. Lets the executor give a whole node one consistent "now" and tests a fixed one.
 */
typedef struct {
  DecaExprResolveFunc resolve;
  gpointer user_data;
  gint64 now_us;
} DecaExprScope;

/**
 * DecaExprReference:
 * @root: the root identifier ("validate-input")
 * @path: the static dotted path as written, when it is static ("validate-input.success"),
 *   else the root alone
 * @offset: byte offset of the reference in the parsed text
 */
typedef struct {
  char *root;
  char *path;
  guint offset;
} DecaExprReference;

/* Parses @text as an expression. On failure returns NULL, sets @error (a message that starts
 * with the 1-based column, "column 14: expected ')'") and, when @error_offset is not NULL,
 * stores the byte offset of the problem there. */
DecaExpr   *deca_expr_parse              (const char    *text,
                                          gsize         *error_offset,
                                          GError       **error);
DecaExpr   *deca_expr_ref                (DecaExpr      *expr);
void        deca_expr_unref              (DecaExpr      *expr);
const char *deca_expr_get_text           (DecaExpr      *expr);

/* Evaluates @expr in @scope. Returns (transfer full) a new JsonNode (never NULL on success;
 * JSON null is a JsonNode of type JSON_NODE_NULL) or NULL with @error set. */
JsonNode   *deca_expr_evaluate           (DecaExpr            *expr,
                                          const DecaExprScope *scope,
                                          GError             **error);

/* Evaluates @expr and converts the result to a boolean by the truthiness rules of
 * docs/expressions.md, without allocating a JsonNode for the result. */
gboolean    deca_expr_evaluate_boolean   (DecaExpr            *expr,
                                          const DecaExprScope *scope,
                                          gboolean            *result,
                                          GError             **error);

/* Appends (transfer full) DecaExprReference structs to @references, one per path in @expr
 * whose root is an identifier (function names and loop-local names excepted).
 * @references should be created with deca_expr_reference_free as its free function. */
void        deca_expr_collect_references (DecaExpr      *expr,
                                          GPtrArray     *references);
void        deca_expr_reference_free     (DecaExprReference *reference);

/* Templates: text with {{ expr }} parts. Same error contract as deca_expr_parse. */
DecaTemplate *deca_template_parse        (const char    *text,
                                          gsize         *error_offset,
                                          GError       **error);
DecaTemplate *deca_template_ref          (DecaTemplate  *tmpl);
void          deca_template_unref        (DecaTemplate  *tmpl);
/* TRUE when the template has no {{ }} part, so rendering returns the text unchanged. */
gboolean      deca_template_is_constant  (DecaTemplate  *tmpl);
/* Renders @tmpl. A template that is exactly one {{expr}} (whitespace around it allowed)
 * returns the expression's value with its type; any other template returns a string, with
 * values converted by string(). Returns (transfer full) or NULL with @error set. */
JsonNode     *deca_template_render       (DecaTemplate        *tmpl,
                                          const DecaExprScope *scope,
                                          GError             **error);
void          deca_template_collect_references (DecaTemplate *tmpl,
                                                GPtrArray    *references);

/* Truthiness used by conditions: null, false, 0, "", [] and {} are false. */
gboolean    deca_json_is_truthy          (JsonNode      *node);

/* The canonical string form of a value, as string() and mixed templates produce it:
 * strings as themselves, numbers without trailing zeros, null as the empty string, others
 * as compact JSON. */
char       *deca_json_to_display_string  (JsonNode      *node);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (DecaExpr, deca_expr_unref)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (DecaTemplate, deca_template_unref)

G_END_DECLS
