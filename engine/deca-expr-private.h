#pragma once

#include "deca-expr.h"
#include "deca-engine-error.h"

G_BEGIN_DECLS

/*
 * Internals of the expression language shared by the lexer, parser, evaluator, function
 * library and templates. Never installed. The limits are documented in docs/expressions.md.
 */

/* Brackets, groupings, arguments and prefix operators nested inside one another. */
#define DECA_EXPR_MAX_NESTING 64
/* Depth of the syntax tree, which also bounds the evaluator's recursion. */
#define DECA_EXPR_MAX_TREE_DEPTH 256
/* Arguments of one function call. */
#define DECA_EXPR_MAX_ARGS 16
/* Evaluation steps: one per evaluated node plus one per element a function touches. */
#define DECA_EXPR_MAX_STEPS 1000000
/* Size of one produced string, in bytes. */
#define DECA_EXPR_MAX_STRING (1024 * 1024)
/* Elements of one produced array or members of one produced object. */
#define DECA_EXPR_MAX_ELEMENTS 100000
/* Everything one evaluation may allocate, in bytes (elements count 32 bytes each). */
#define DECA_EXPR_MAX_TOTAL (16 * 1024 * 1024)
/* Nesting of values walked by comparison, serialization and json(). */
#define DECA_EXPR_MAX_VALUE_DEPTH 512

typedef enum {
  DECA_TOKEN_EOF,
  DECA_TOKEN_IDENT,
  DECA_TOKEN_INT,
  DECA_TOKEN_DOUBLE,
  DECA_TOKEN_STRING,
  DECA_TOKEN_TRUE,
  DECA_TOKEN_FALSE,
  DECA_TOKEN_NULL,
  DECA_TOKEN_IN,
  DECA_TOKEN_LPAREN,
  DECA_TOKEN_RPAREN,
  DECA_TOKEN_LBRACKET,
  DECA_TOKEN_RBRACKET,
  DECA_TOKEN_LBRACE,
  DECA_TOKEN_RBRACE,
  DECA_TOKEN_COMMA,
  DECA_TOKEN_COLON,
  DECA_TOKEN_DOT,
  DECA_TOKEN_QUESTION,
  DECA_TOKEN_COALESCE,
  DECA_TOKEN_NOT,
  DECA_TOKEN_PLUS,
  DECA_TOKEN_MINUS,
  DECA_TOKEN_STAR,
  DECA_TOKEN_SLASH,
  DECA_TOKEN_PERCENT,
  DECA_TOKEN_LT,
  DECA_TOKEN_LE,
  DECA_TOKEN_GT,
  DECA_TOKEN_GE,
  DECA_TOKEN_EQ,
  DECA_TOKEN_NE,
  DECA_TOKEN_SEQ,
  DECA_TOKEN_SNE,
  DECA_TOKEN_AND,
  DECA_TOKEN_OR,
} DecaTokenKind;

/* One token. @start and @end are byte offsets in the lexer's source. @string is the decoded
 * value of a string literal, owned by the token until the parser steals it. */
typedef struct {
  DecaTokenKind kind;
  gsize start;
  gsize end;
  gint64 integer;
  double dbl;
  char *string;
} DecaToken;

/* Lexes source[pos, end). Offsets stay relative to @source so that errors inside a template
 * point into the template text. */
typedef struct {
  const char *source;
  gsize pos;
  gsize end;
} DecaLexer;

gboolean    _deca_lexer_next        (DecaLexer   *lexer,
                                     DecaToken   *token,
                                     gsize       *error_offset,
                                     GError     **error);
gboolean    _deca_is_ident_start    (char         c);
gboolean    _deca_is_ident_char     (char         c);

/* Sets @error to "column N: <message>" where N is the 1-based character column of @offset
 * in @source, and stores @offset in @error_offset when it is not NULL. */
void        _deca_expr_set_error    (GError     **error,
                                     gsize       *error_offset,
                                     const char  *source,
                                     gsize        offset,
                                     int          code,
                                     const char  *format,
                                     ...) G_GNUC_PRINTF (6, 7);
guint       _deca_expr_column       (const char  *source,
                                     gsize        offset);

/*
 * Values during evaluation. Strings, arrays and objects are borrowed: from the scope's
 * JsonNodes, from the syntax tree, or from the evaluation's arena (DecaEval.owned), which
 * lives until the evaluation ends. This is what lets the common path run without allocating.
 */
typedef enum {
  DECA_VALUE_NULL,
  DECA_VALUE_BOOLEAN,
  DECA_VALUE_INT,
  DECA_VALUE_DOUBLE,
  DECA_VALUE_STRING,
  DECA_VALUE_ARRAY,
  DECA_VALUE_OBJECT,
} DecaValueType;

typedef struct {
  DecaValueType type;
  union {
    gboolean boolean;
    gint64 integer;
    double dbl;
    const char *string;
    JsonArray *array;
    JsonObject *object;
  };
} DecaValue;

typedef struct _DecaAst DecaAst;
typedef struct _DecaEval DecaEval;

typedef gboolean (*DecaExprFunctionImpl) (DecaEval        *eval,
                                          const DecaAst   *call,
                                          const DecaValue *args,
                                          guint            n_args,
                                          DecaValue       *result);

typedef struct {
  const char *name;
  guint min_args;
  guint max_args;
  DecaExprFunctionImpl impl;
} DecaExprFunction;

typedef enum {
  DECA_AST_LITERAL,
  DECA_AST_ARRAY,
  DECA_AST_OBJECT,
  DECA_AST_ROOT,
  DECA_AST_MEMBER,
  DECA_AST_INDEX,
  DECA_AST_CALL,
  DECA_AST_NOT,
  DECA_AST_NEGATE,
  DECA_AST_POSITIVE,
  DECA_AST_BINARY,
  DECA_AST_AND,
  DECA_AST_OR,
  DECA_AST_COALESCE,
  DECA_AST_CONDITIONAL,
} DecaAstKind;

typedef enum {
  DECA_OP_ADD,
  DECA_OP_SUB,
  DECA_OP_MUL,
  DECA_OP_DIV,
  DECA_OP_MOD,
  DECA_OP_EQ,
  DECA_OP_NE,
  DECA_OP_SEQ,
  DECA_OP_SNE,
  DECA_OP_LT,
  DECA_OP_LE,
  DECA_OP_GT,
  DECA_OP_GE,
  DECA_OP_IN,
} DecaBinaryOp;

/* A node of the syntax tree. @offset is where errors about the node point (the operator of
 * a binary or unary node, the start of anything else). @name is the root identifier, the
 * member name, or the storage of a string literal. OBJECT nodes pair @keys with @children. */
struct _DecaAst {
  DecaAstKind kind;
  DecaBinaryOp op;
  guint offset;
  guint depth;
  DecaValue literal;
  char *name;
  const DecaExprFunction *function;
  guint n_children;
  DecaAst **children;
  char **keys;
};

void        _deca_ast_free          (DecaAst     *ast);

struct _DecaExpr {
  gint ref_count;
  char *text;
  /* The text that offsets and columns refer to: @text itself, or the template around it,
   * which the template owns (@source_borrowed) and which outlives its parts. */
  char *source;
  gboolean source_borrowed;
  DecaAst *root;
};

/* Parses the expression that starts at byte @start of @source and ends with "}}" (the
 * embedded form of templates). On success stores the offset just past "}}" in @end. The
 * result borrows @source (@source_len bytes of valid UTF-8), which must outlive it. */
DecaExpr   *_deca_expr_parse_embedded (const char *source,
                                       gsize       source_len,
                                       gsize       start,
                                       gsize      *end,
                                       gsize      *error_offset,
                                       GError    **error);

const DecaExprFunction *_deca_expr_lookup_function (const char *name,
                                                    gsize       len);

typedef struct {
  gpointer data;
  GDestroyNotify destroy;
} DecaOwned;

/* One evaluation. Lives on the caller's stack; @owned is created on the first allocation. */
struct _DecaEval {
  const DecaExprScope *scope;
  const char *source;
  GError **error;
  guint steps;
  gsize allocated;
  GArray *owned;
};

void        _deca_eval_init         (DecaEval            *eval,
                                     const DecaExprScope *scope,
                                     GError             **error);
void        _deca_eval_clear        (DecaEval            *eval);
gboolean    _deca_eval_expr         (DecaEval            *eval,
                                     DecaExpr            *expr,
                                     DecaValue           *out);

/* Fails the evaluation with "column N: <message>" pointing at @at. Returns FALSE. */
gboolean    _deca_eval_error        (DecaEval            *eval,
                                     const DecaAst       *at,
                                     int                  code,
                                     const char          *format,
                                     ...) G_GNUC_PRINTF (4, 5);
/* Counts @n steps against DECA_EXPR_MAX_STEPS. */
gboolean    _deca_eval_charge       (DecaEval            *eval,
                                     const DecaAst       *at,
                                     gsize                n);
/* Takes ownership of @str (@len bytes), checks the size limits and stores it in @out. */
gboolean    _deca_eval_take_string  (DecaEval            *eval,
                                     const DecaAst       *at,
                                     char                *str,
                                     gsize                len,
                                     DecaValue           *out);
gboolean    _deca_eval_take_gstring (DecaEval            *eval,
                                     const DecaAst       *at,
                                     GString             *str,
                                     DecaValue           *out);
/* Takes ownership of @array (or @object), checks the limits and stores it in @out. */
gboolean    _deca_eval_take_array   (DecaEval            *eval,
                                     const DecaAst       *at,
                                     JsonArray           *array,
                                     DecaValue           *out);
gboolean    _deca_eval_take_object  (DecaEval            *eval,
                                     const DecaAst       *at,
                                     JsonObject          *object,
                                     DecaValue           *out);

/* Takes ownership of @node (the result of json()) and stores its value in @out. */
gboolean    _deca_eval_take_node    (DecaEval            *eval,
                                     const DecaAst       *at,
                                     JsonNode            *node,
                                     DecaValue           *out);

void        _deca_value_from_node   (JsonNode            *node,
                                     DecaValue           *out);
/* Returns (transfer full) a JsonNode for @value; containers are shared, not copied. */
JsonNode   *_deca_value_to_node     (const DecaValue     *value);
gboolean    _deca_value_truthy      (const DecaValue     *value);
const char *_deca_value_type_name   (const DecaValue     *value);
gboolean    _deca_value_is_number   (const DecaValue     *value);
double      _deca_value_as_double   (const DecaValue     *value);
/* Deep equality. Strict compares type and value (numbers compare by value whatever their
 * representation); loose also converts between numbers, strings and booleans. Values nested
 * deeper than DECA_EXPR_MAX_VALUE_DEPTH compare unequal. */
gboolean    _deca_value_equal       (const DecaValue     *a,
                                     const DecaValue     *b,
                                     gboolean             strict);
/* Appends the string() form of @value to @out. Fails when the result would pass @limit
 * bytes or the value is nested too deeply. */
gboolean    _deca_value_append_display (GString         *out,
                                        const DecaValue *value,
                                        gsize            limit);
/* Appends compact JSON for @value; @sort_keys gives a canonical form. Same failures. */
gboolean    _deca_value_append_json (GString             *out,
                                     const DecaValue     *value,
                                     gboolean             sort_keys,
                                     gsize                limit);
/* Parses @text as a number the way number() does: optional whitespace and sign, digits,
 * optional fraction and exponent; integers stay integers when they fit. */
gboolean    _deca_parse_number      (const char          *text,
                                     DecaValue           *out);
/* Writes the shortest representation of @d that reads back as the same double. */
void        _deca_format_double     (double               d,
                                     char                *buf,
                                     gsize                size);

G_END_DECLS
