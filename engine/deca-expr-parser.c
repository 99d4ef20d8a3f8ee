/* deca-expr-parser.c: recursive-descent parser of the expression language
 *
 * One function per precedence level, lowest first (docs/expressions.md has the grammar).
 * Nesting is bounded twice: DECA_EXPR_MAX_NESTING bounds the parser's own recursion and
 * DECA_EXPR_MAX_TREE_DEPTH the depth of the tree, which is what the evaluator recurses on
 * (a long chain of '+' is flat for the parser but deep for the tree).
 */

#include "config.h"

#include <glib/gi18n-lib.h>

#include "deca-expr-private.h"

#include <string.h>

typedef struct {
  DecaLexer lexer;
  DecaToken tok;
  guint nesting;
  gsize *error_offset;
  GError **error;
} DecaParser;

void
_deca_ast_free (DecaAst *ast)
{
  if (ast == NULL)
    return;
  for (guint i = 0; i < ast->n_children; i++)
    _deca_ast_free (ast->children[i]);
  g_free (ast->children);
  if (ast->keys != NULL)
    {
      for (guint i = 0; i < ast->n_children; i++)
        g_free (ast->keys[i]);
      g_free (ast->keys);
    }
  g_free (ast->name);
  g_free (ast);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (DecaAst, _deca_ast_free)

static gboolean
parser_error (DecaParser *parser,
              gsize       offset,
              const char *format,
              ...) G_GNUC_PRINTF (3, 4);

static gboolean
parser_error (DecaParser *parser,
              gsize       offset,
              const char *format,
              ...)
{
  g_autofree char *message = NULL;
  va_list args;

  va_start (args, format);
  message = g_strdup_vprintf (format, args);
  va_end (args);
  _deca_expr_set_error (parser->error, parser->error_offset, parser->lexer.source, offset,
                        DECA_ENGINE_ERROR_EXPRESSION, "%s", message);
  return FALSE;
}

/* A short description of the current token for messages: "end of expression" or the
 * token as written (cut to 20 bytes on a character boundary). */
static char *
describe_token (DecaParser *parser)
{
  const DecaToken *t = &parser->tok;
  const char *s = parser->lexer.source + t->start;
  gsize len = t->end - t->start;

  if (t->kind == DECA_TOKEN_EOF)
    /* Translators: what the parser found, as in "expected ')', found end of expression" */
    return g_strdup (_("end of expression"));
  if (len > 20)
    {
      const char *cut = g_utf8_find_prev_char (s, s + 20);

      len = cut != NULL ? (gsize) (cut - s) : 20;
      return g_strdup_printf ("'%.*s…'", (int) len, s);
    }
  return g_strdup_printf ("'%.*s'", (int) len, s);
}

static gboolean
unexpected (DecaParser *parser,
            const char *expected)
{
  g_autofree char *what = describe_token (parser);

  if (expected != NULL)
    /* Translators: both are a token such as "')'" or a description such as "an
     * expression" or "end of expression" */
    return parser_error (parser, parser->tok.start, _("expected %s, found %s"), expected, what);
  /* Translators: %s is a token such as "')'" or "end of expression" */
  return parser_error (parser, parser->tok.start, _("unexpected %s"), what);
}

static gboolean
advance (DecaParser *parser)
{
  g_clear_pointer (&parser->tok.string, g_free);
  return _deca_lexer_next (&parser->lexer, &parser->tok, parser->error_offset, parser->error);
}

static gboolean
expect (DecaParser   *parser,
        DecaTokenKind kind,
        const char   *what)
{
  if (parser->tok.kind != kind)
    return unexpected (parser, what);
  return advance (parser);
}

static DecaAst *
ast_new (DecaAstKind kind,
         gsize       offset)
{
  DecaAst *ast = g_new0 (DecaAst, 1);

  ast->kind = kind;
  ast->offset = (guint) offset;
  ast->depth = 1;
  return ast;
}

/* Appends @child (taking it) and checks the tree depth. On failure frees nothing but
 * @child's ownership has passed to @ast, so the caller frees @ast. */
static gboolean
ast_add_child (DecaParser *parser,
               DecaAst    *ast,
               DecaAst    *child)
{
  ast->children = g_renew (DecaAst *, ast->children, ast->n_children + 1);
  ast->children[ast->n_children++] = child;
  if (child->depth + 1 > ast->depth)
    ast->depth = child->depth + 1;
  if (ast->depth > DECA_EXPR_MAX_TREE_DEPTH)
    return parser_error (parser, ast->offset,
                         _("expression too deeply nested (more than %d levels)"),
                         DECA_EXPR_MAX_TREE_DEPTH);
  return TRUE;
}

static DecaAst *parse_conditional (DecaParser *parser);

static DecaAst *
binary_new (DecaParser  *parser,
            DecaAstKind  kind,
            DecaBinaryOp op,
            gsize        offset,
            DecaAst     *left,
            DecaAst     *right)
{
  g_autoptr(DecaAst) ast = ast_new (kind, offset);

  ast->op = op;
  if (!ast_add_child (parser, ast, left))
    {
      _deca_ast_free (right);
      return NULL;
    }
  if (!ast_add_child (parser, ast, right))
    return NULL;
  return g_steal_pointer (&ast);
}

static gboolean
enter (DecaParser *parser)
{
  if (++parser->nesting > DECA_EXPR_MAX_NESTING)
    return parser_error (parser, parser->tok.start,
                         _("expression too deeply nested (more than %d levels)"),
                         DECA_EXPR_MAX_NESTING);
  return TRUE;
}

static void
leave (DecaParser *parser)
{
  parser->nesting--;
}

/* Comma-separated expressions up to @close, used by array literals and calls. The
 * current token is the one after the opening bracket. */
static gboolean
parse_list (DecaParser   *parser,
            DecaAst      *ast,
            DecaTokenKind close,
            const char   *close_text,
            guint         max)
{
  if (parser->tok.kind == close)
    return advance (parser);

  for (;;)
    {
      DecaAst *item;

      if (max > 0 && ast->n_children >= max)
        return parser_error (parser, parser->tok.start, _("too many arguments (at most %u)"), max);
      item = parse_conditional (parser);
      if (item == NULL)
        return FALSE;
      if (!ast_add_child (parser, ast, item))
        return FALSE;
      if (parser->tok.kind == DECA_TOKEN_COMMA)
        {
          if (!advance (parser))
            return FALSE;
          /* A trailing comma is allowed, as in most modern languages. */
          if (parser->tok.kind == close)
            return advance (parser);
          continue;
        }
      if (parser->tok.kind == close)
        return advance (parser);
      return unexpected (parser, close_text);
    }
}

static DecaAst *
parse_object (DecaParser *parser)
{
  g_autoptr(DecaAst) ast = ast_new (DECA_AST_OBJECT, parser->tok.start);

  if (!advance (parser))
    return NULL;
  while (parser->tok.kind != DECA_TOKEN_RBRACE)
    {
      g_autofree char *key = NULL;
      DecaAst *value;

      switch (parser->tok.kind)
        {
        case DECA_TOKEN_STRING:
          key = g_steal_pointer (&parser->tok.string);
          break;
        case DECA_TOKEN_IDENT:
        case DECA_TOKEN_TRUE:
        case DECA_TOKEN_FALSE:
        case DECA_TOKEN_NULL:
        case DECA_TOKEN_IN:
          key = g_strndup (parser->lexer.source + parser->tok.start,
                           parser->tok.end - parser->tok.start);
          break;
        default:
          /* Translators: as in "expected an object key, found ')'" */
          unexpected (parser, _("an object key"));
          return NULL;
        }
      if (!advance (parser) || !expect (parser, DECA_TOKEN_COLON, "':'"))
        return NULL;
      value = parse_conditional (parser);
      if (value == NULL)
        return NULL;
      ast->keys = g_renew (char *, ast->keys, ast->n_children + 1);
      ast->keys[ast->n_children] = g_steal_pointer (&key);
      if (!ast_add_child (parser, ast, value))
        return NULL;
      if (parser->tok.kind == DECA_TOKEN_COMMA)
        {
          if (!advance (parser))
            return NULL;
          continue;
        }
      if (parser->tok.kind != DECA_TOKEN_RBRACE)
        {
          unexpected (parser, "',' or '}'");
          return NULL;
        }
    }
  if (!advance (parser))
    return NULL;
  return g_steal_pointer (&ast);
}

static DecaAst *
parse_primary (DecaParser *parser)
{
  DecaToken *t = &parser->tok;
  g_autoptr(DecaAst) ast = NULL;

  switch (t->kind)
    {
    case DECA_TOKEN_INT:
      ast = ast_new (DECA_AST_LITERAL, t->start);
      ast->literal.type = DECA_VALUE_INT;
      ast->literal.integer = t->integer;
      break;
    case DECA_TOKEN_DOUBLE:
      ast = ast_new (DECA_AST_LITERAL, t->start);
      ast->literal.type = DECA_VALUE_DOUBLE;
      ast->literal.dbl = t->dbl;
      break;
    case DECA_TOKEN_STRING:
      ast = ast_new (DECA_AST_LITERAL, t->start);
      ast->name = g_steal_pointer (&t->string);
      ast->literal.type = DECA_VALUE_STRING;
      ast->literal.string = ast->name;
      break;
    case DECA_TOKEN_TRUE:
    case DECA_TOKEN_FALSE:
      ast = ast_new (DECA_AST_LITERAL, t->start);
      ast->literal.type = DECA_VALUE_BOOLEAN;
      ast->literal.boolean = t->kind == DECA_TOKEN_TRUE;
      break;
    case DECA_TOKEN_NULL:
      ast = ast_new (DECA_AST_LITERAL, t->start);
      ast->literal.type = DECA_VALUE_NULL;
      break;

    case DECA_TOKEN_IDENT:
      {
        const char *name = parser->lexer.source + t->start;
        gsize len = t->end - t->start;
        gsize start = t->start;

        if (!advance (parser))
          return NULL;
        if (parser->tok.kind == DECA_TOKEN_LPAREN)
          {
            const DecaExprFunction *function = _deca_expr_lookup_function (name, len);

            if (function == NULL)
              {
                parser_error (parser, start, _("unknown function '%.*s'"), (int) len, name);
                return NULL;
              }
            ast = ast_new (DECA_AST_CALL, start);
            ast->function = function;
            if (!advance (parser) || !enter (parser))
              return NULL;
            if (!parse_list (parser, ast, DECA_TOKEN_RPAREN, "',' or ')'", DECA_EXPR_MAX_ARGS))
              return NULL;
            leave (parser);
            return g_steal_pointer (&ast);
          }
        ast = ast_new (DECA_AST_ROOT, start);
        ast->name = g_strndup (name, len);
        return g_steal_pointer (&ast);
      }

    case DECA_TOKEN_LPAREN:
      {
        DecaAst *inner;

        if (!advance (parser) || !enter (parser))
          return NULL;
        inner = parse_conditional (parser);
        if (inner == NULL)
          return NULL;
        leave (parser);
        if (!expect (parser, DECA_TOKEN_RPAREN, "')'"))
          {
            _deca_ast_free (inner);
            return NULL;
          }
        return inner;
      }

    case DECA_TOKEN_LBRACKET:
      ast = ast_new (DECA_AST_ARRAY, t->start);
      if (!advance (parser) || !enter (parser))
        return NULL;
      if (!parse_list (parser, ast, DECA_TOKEN_RBRACKET, "',' or ']'", 0))
        return NULL;
      leave (parser);
      return g_steal_pointer (&ast);

    case DECA_TOKEN_LBRACE:
      {
        gsize open = t->start;
        DecaAst *inner;

        if (!enter (parser))
          return NULL;
        if (!advance (parser))
          return NULL;
        /* "{{ expr }}" is a grouping, so that a condition can be written the way
         * templates write values. Object keys cannot start with '{', so this is
         * unambiguous. */
        if (parser->tok.kind != DECA_TOKEN_LBRACE || parser->tok.start != open + 1)
          {
            /* Put the token back by re-lexing from the opening brace. */
            parser->lexer.pos = open;
            if (!advance (parser))
              return NULL;
            inner = parse_object (parser);
            if (inner != NULL)
              leave (parser);
            return inner;
          }
        if (!advance (parser))
          return NULL;
        inner = parse_conditional (parser);
        if (inner == NULL)
          return NULL;
        leave (parser);
        if (parser->tok.kind != DECA_TOKEN_RBRACE)
          {
            _deca_ast_free (inner);
            unexpected (parser, "'}}'");
            return NULL;
          }
        {
          gsize first = parser->tok.start;

          if (!advance (parser))
            {
              _deca_ast_free (inner);
              return NULL;
            }
          if (parser->tok.kind != DECA_TOKEN_RBRACE || parser->tok.start != first + 1)
            {
              _deca_ast_free (inner);
              parser_error (parser, first, _("expected '}}'"));
              return NULL;
            }
        }
        if (!advance (parser))
          {
            _deca_ast_free (inner);
            return NULL;
          }
        return inner;
      }

    default:
      /* Translators: as in "expected an expression, found ')'" */
      unexpected (parser, _("an expression"));
      return NULL;
    }

  if (!advance (parser))
    return NULL;
  return g_steal_pointer (&ast);
}

static DecaAst *
parse_postfix (DecaParser *parser)
{
  g_autoptr(DecaAst) ast = parse_primary (parser);

  if (ast == NULL)
    return NULL;

  for (;;)
    {
      DecaToken *t = &parser->tok;

      if (t->kind == DECA_TOKEN_DOT)
        {
          g_autoptr(DecaAst) member = NULL;

          if (!advance (parser))
            return NULL;
          /* Keywords are fine as member names: {{item.null}} reads a member "null". */
          if (t->kind != DECA_TOKEN_IDENT && t->kind != DECA_TOKEN_TRUE
              && t->kind != DECA_TOKEN_FALSE && t->kind != DECA_TOKEN_NULL
              && t->kind != DECA_TOKEN_IN)
            {
              /* Translators: as in "expected a member name, found ')'" */
              unexpected (parser, _("a member name"));
              return NULL;
            }
          member = ast_new (DECA_AST_MEMBER, t->start);
          member->name = g_strndup (parser->lexer.source + t->start, t->end - t->start);
          if (!ast_add_child (parser, member, g_steal_pointer (&ast)))
            return NULL;
          ast = g_steal_pointer (&member);
          if (!advance (parser))
            return NULL;
        }
      else if (t->kind == DECA_TOKEN_LBRACKET)
        {
          g_autoptr(DecaAst) index = ast_new (DECA_AST_INDEX, t->start);
          DecaAst *key;

          if (!ast_add_child (parser, index, g_steal_pointer (&ast)))
            return NULL;
          if (!advance (parser) || !enter (parser))
            return NULL;
          key = parse_conditional (parser);
          if (key == NULL)
            return NULL;
          leave (parser);
          if (!ast_add_child (parser, index, key))
            return NULL;
          if (!expect (parser, DECA_TOKEN_RBRACKET, "']'"))
            return NULL;
          ast = g_steal_pointer (&index);
        }
      else if (t->kind == DECA_TOKEN_LPAREN)
        {
          parser_error (parser, t->start, _("only functions can be called"));
          return NULL;
        }
      else
        return g_steal_pointer (&ast);
    }
}

static DecaAst *
parse_unary (DecaParser *parser)
{
  DecaAstKind kind;
  gsize offset = parser->tok.start;
  g_autoptr(DecaAst) ast = NULL;
  DecaAst *operand;

  switch (parser->tok.kind)
    {
    case DECA_TOKEN_NOT: kind = DECA_AST_NOT; break;
    case DECA_TOKEN_MINUS: kind = DECA_AST_NEGATE; break;
    case DECA_TOKEN_PLUS: kind = DECA_AST_POSITIVE; break;
    default:
      return parse_postfix (parser);
    }

  if (!enter (parser) || !advance (parser))
    return NULL;
  operand = parse_unary (parser);
  if (operand == NULL)
    return NULL;
  leave (parser);

  /* Fold "-<number>" into a literal, so that -9223372036854775808 stays an integer and
   * constants cost nothing at run time. */
  if (kind == DECA_AST_NEGATE && operand->kind == DECA_AST_LITERAL
      && operand->literal.type == DECA_VALUE_DOUBLE
      && strncmp (parser->lexer.source + operand->offset, "9223372036854775808", 19) == 0
      && !g_ascii_isdigit (parser->lexer.source[operand->offset + 19])
      && parser->lexer.source[operand->offset + 19] != '.'
      && parser->lexer.source[operand->offset + 19] != 'e'
      && parser->lexer.source[operand->offset + 19] != 'E')
    {
      /* The one integer whose magnitude does not fit a positive gint64. */
      operand->literal.type = DECA_VALUE_INT;
      operand->literal.integer = G_MININT64;
      operand->offset = (guint) offset;
      return operand;
    }
  if (kind == DECA_AST_NEGATE && operand->kind == DECA_AST_LITERAL
      && operand->literal.type == DECA_VALUE_DOUBLE)
    {
      operand->literal.dbl = -operand->literal.dbl;
      operand->offset = (guint) offset;
      return operand;
    }
  if (kind == DECA_AST_NEGATE && operand->kind == DECA_AST_LITERAL
      && operand->literal.type == DECA_VALUE_INT && operand->literal.integer != G_MININT64)
    {
      operand->literal.integer = -operand->literal.integer;
      operand->offset = (guint) offset;
      return operand;
    }

  ast = ast_new (kind, offset);
  if (!ast_add_child (parser, ast, operand))
    return NULL;
  return g_steal_pointer (&ast);
}

typedef struct {
  DecaTokenKind token;
  DecaAstKind kind;
  DecaBinaryOp op;
} BinaryOperator;

static const BinaryOperator multiplicative_ops[] = {
  { DECA_TOKEN_STAR, DECA_AST_BINARY, DECA_OP_MUL },
  { DECA_TOKEN_SLASH, DECA_AST_BINARY, DECA_OP_DIV },
  { DECA_TOKEN_PERCENT, DECA_AST_BINARY, DECA_OP_MOD },
  { DECA_TOKEN_EOF },
};
static const BinaryOperator additive_ops[] = {
  { DECA_TOKEN_PLUS, DECA_AST_BINARY, DECA_OP_ADD },
  { DECA_TOKEN_MINUS, DECA_AST_BINARY, DECA_OP_SUB },
  { DECA_TOKEN_EOF },
};
static const BinaryOperator relational_ops[] = {
  { DECA_TOKEN_LT, DECA_AST_BINARY, DECA_OP_LT },
  { DECA_TOKEN_LE, DECA_AST_BINARY, DECA_OP_LE },
  { DECA_TOKEN_GT, DECA_AST_BINARY, DECA_OP_GT },
  { DECA_TOKEN_GE, DECA_AST_BINARY, DECA_OP_GE },
  { DECA_TOKEN_IN, DECA_AST_BINARY, DECA_OP_IN },
  { DECA_TOKEN_EOF },
};
static const BinaryOperator equality_ops[] = {
  { DECA_TOKEN_EQ, DECA_AST_BINARY, DECA_OP_EQ },
  { DECA_TOKEN_NE, DECA_AST_BINARY, DECA_OP_NE },
  { DECA_TOKEN_SEQ, DECA_AST_BINARY, DECA_OP_SEQ },
  { DECA_TOKEN_SNE, DECA_AST_BINARY, DECA_OP_SNE },
  { DECA_TOKEN_EOF },
};
static const BinaryOperator and_ops[] = {
  { DECA_TOKEN_AND, DECA_AST_AND },
  { DECA_TOKEN_EOF },
};
static const BinaryOperator or_ops[] = {
  { DECA_TOKEN_OR, DECA_AST_OR },
  { DECA_TOKEN_EOF },
};
static const BinaryOperator coalesce_ops[] = {
  { DECA_TOKEN_COALESCE, DECA_AST_COALESCE },
  { DECA_TOKEN_EOF },
};

/* The binary levels, from the tightest: each parses its operands with the level before. */
static const BinaryOperator *const levels[] = {
  multiplicative_ops,
  additive_ops,
  relational_ops,
  equality_ops,
  and_ops,
  or_ops,
  coalesce_ops,
};

/* Parses a left-associative chain of the operators of @level. */
static DecaAst *
parse_level (DecaParser *parser,
             int         level)
{
  DecaAst *left;

  left = level == 0 ? parse_unary (parser) : parse_level (parser, level - 1);
  if (left == NULL)
    return NULL;

  for (;;)
    {
      const BinaryOperator *found = NULL;
      gsize offset = parser->tok.start;
      DecaAst *right;

      for (const BinaryOperator *o = levels[level]; o->token != DECA_TOKEN_EOF; o++)
        if (o->token == parser->tok.kind)
          found = o;
      if (found == NULL)
        return left;

      if (!advance (parser))
        goto fail;
      right = level == 0 ? parse_unary (parser) : parse_level (parser, level - 1);
      if (right == NULL)
        goto fail;
      left = binary_new (parser, found->kind, found->op, offset, left, right);
      if (left == NULL)
        return NULL;
    }

fail:
  _deca_ast_free (left);
  return NULL;
}

static DecaAst *
parse_conditional (DecaParser *parser)
{
  g_autoptr(DecaAst) ast = NULL;
  DecaAst *condition, *then, *otherwise;
  gsize offset;

  condition = parse_level (parser, G_N_ELEMENTS (levels) - 1);
  if (condition == NULL || parser->tok.kind != DECA_TOKEN_QUESTION)
    return condition;

  offset = parser->tok.start;
  ast = ast_new (DECA_AST_CONDITIONAL, offset);
  if (!ast_add_child (parser, ast, condition))
    return NULL;
  if (!enter (parser) || !advance (parser))
    return NULL;
  then = parse_conditional (parser);
  if (then == NULL || !ast_add_child (parser, ast, then))
    return NULL;
  if (!expect (parser, DECA_TOKEN_COLON, "':'"))
    return NULL;
  /* Right-associative: a ? b : c ? d : e is a ? b : (c ? d : e). */
  otherwise = parse_conditional (parser);
  if (otherwise == NULL || !ast_add_child (parser, ast, otherwise))
    return NULL;
  leave (parser);
  return g_steal_pointer (&ast);
}

static gboolean
parser_init (DecaParser *parser,
             const char *source,
             gsize       start,
             gsize       end,
             gboolean    validate,
             gsize      *error_offset,
             GError    **error)
{
  const char *bad = NULL;

  memset (parser, 0, sizeof *parser);
  parser->lexer.source = source;
  parser->lexer.pos = start;
  parser->lexer.end = end;
  parser->error_offset = error_offset;
  parser->error = error;

  if (validate && !g_utf8_validate (source, (gssize) end, &bad))
    {
      gsize offset = (gsize) (bad - source);

      /* The column is counted over the valid prefix only. */
      _deca_expr_set_error (error, error_offset, source, offset, DECA_ENGINE_ERROR_EXPRESSION,
                            _("invalid UTF-8"));
      return FALSE;
    }
  return advance (parser);
}

static DecaExpr *
expr_new (const char *text,
          const char *source,
          DecaAst    *root)
{
  DecaExpr *expr = g_new0 (DecaExpr, 1);

  expr->ref_count = 1;
  expr->text = g_strdup (text);
  expr->source = source != NULL ? g_strdup (source) : expr->text;
  expr->root = root;
  return expr;
}

/* Parses @text as a whole expression (the public deca_expr_parse). */
DecaExpr *
deca_expr_parse (const char *text,
                 gsize      *error_offset,
                 GError    **error)
{
  DecaParser parser;
  g_autoptr(DecaAst) root = NULL;

  g_return_val_if_fail (text != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (!parser_init (&parser, text, 0, strlen (text), TRUE, error_offset, error))
    goto fail;
  root = parse_conditional (&parser);
  if (root == NULL)
    goto fail;
  if (parser.tok.kind != DECA_TOKEN_EOF)
    {
      unexpected (&parser, NULL);
      goto fail;
    }
  g_free (parser.tok.string);
  return expr_new (text, NULL, g_steal_pointer (&root));

fail:
  g_free (parser.tok.string);
  return NULL;
}

DecaExpr *
_deca_expr_parse_embedded (const char *source,
                           gsize       source_len,
                           gsize       start,
                           gsize      *end,
                           gsize      *error_offset,
                           GError    **error)
{
  DecaParser parser;
  g_autoptr(DecaAst) root = NULL;
  g_autofree char *text = NULL;
  gsize first;
  DecaExpr *expr;

  /* The template validated the UTF-8 of the whole text once. */
  if (!parser_init (&parser, source, start, source_len, FALSE, error_offset, error))
    goto fail;
  root = parse_conditional (&parser);
  if (root == NULL)
    goto fail;
  if (parser.tok.kind != DECA_TOKEN_RBRACE)
    {
      unexpected (&parser, "'}}'");
      goto fail;
    }
  first = parser.tok.start;
  if (first + 1 >= parser.lexer.end || source[first + 1] != '}')
    {
      parser_error (&parser, first, _("expected '}}'"));
      goto fail;
    }

  text = g_strndup (source + start, first - start);
  expr = expr_new (g_strstrip (text), NULL, g_steal_pointer (&root));
  expr->source = (char *) source;
  expr->source_borrowed = TRUE;
  *end = first + 2;
  g_free (parser.tok.string);
  return expr;

fail:
  g_free (parser.tok.string);
  return NULL;
}

DecaExpr *
deca_expr_ref (DecaExpr *expr)
{
  g_return_val_if_fail (expr != NULL, NULL);

  g_atomic_int_inc (&expr->ref_count);
  return expr;
}

void
deca_expr_unref (DecaExpr *expr)
{
  if (expr == NULL)
    return;
  if (!g_atomic_int_dec_and_test (&expr->ref_count))
    return;
  _deca_ast_free (expr->root);
  if (expr->source != expr->text && !expr->source_borrowed)
    g_free (expr->source);
  g_free (expr->text);
  g_free (expr);
}

const char *
deca_expr_get_text (DecaExpr *expr)
{
  g_return_val_if_fail (expr != NULL, NULL);

  return expr->text;
}

void
deca_expr_reference_free (DecaExprReference *reference)
{
  if (reference == NULL)
    return;
  g_free (reference->root);
  g_free (reference->path);
  g_free (reference);
}

/* Emits one reference for the chain of members and indexes ending at @ast, when its root is
 * an identifier, then visits the dynamic parts (index expressions) of the chain. */
static void
collect (const DecaAst *ast,
         GPtrArray     *references);

static gboolean
is_plain_key (const char *key)
{
  if (!_deca_is_ident_start (key[0]))
    return FALSE;
  for (const char *p = key + 1; *p; p++)
    if (!_deca_is_ident_char (*p) && !(*p == '-' && _deca_is_ident_char (p[1])))
      return FALSE;
  return TRUE;
}

static void
collect_chain (const DecaAst *ast,
               GPtrArray     *references)
{
  const DecaAst *chain[DECA_EXPR_MAX_TREE_DEPTH + 1];
  guint n = 0;
  const DecaAst *bottom = ast;

  while (bottom->kind == DECA_AST_MEMBER || bottom->kind == DECA_AST_INDEX)
    {
      chain[n++] = bottom;
      bottom = bottom->children[0];
    }

  if (bottom->kind == DECA_AST_ROOT)
    {
      DecaExprReference *ref = g_new0 (DecaExprReference, 1);
      GString *path = g_string_new (bottom->name);

      ref->root = g_strdup (bottom->name);
      ref->offset = bottom->offset;
      /* Walk outwards while the path stays static. */
      for (guint i = n; i > 0; i--)
        {
          const DecaAst *link = chain[i - 1];

          if (link->kind == DECA_AST_MEMBER)
            g_string_append_printf (path, ".%s", link->name);
          else if (link->children[1]->kind == DECA_AST_LITERAL
                   && link->children[1]->literal.type == DECA_VALUE_STRING
                   && is_plain_key (link->children[1]->literal.string))
            g_string_append_printf (path, ".%s", link->children[1]->literal.string);
          else if (link->children[1]->kind == DECA_AST_LITERAL
                   && link->children[1]->literal.type == DECA_VALUE_INT)
            g_string_append_printf (path, "[%" G_GINT64_FORMAT "]",
                                    link->children[1]->literal.integer);
          else
            break;
        }
      ref->path = g_string_free (path, FALSE);
      g_ptr_array_add (references, ref);
    }
  else
    collect (bottom, references);

  for (guint i = 0; i < n; i++)
    if (chain[i]->kind == DECA_AST_INDEX)
      collect (chain[i]->children[1], references);
}

static void
collect (const DecaAst *ast,
         GPtrArray     *references)
{
  if (ast->kind == DECA_AST_ROOT || ast->kind == DECA_AST_MEMBER || ast->kind == DECA_AST_INDEX)
    {
      collect_chain (ast, references);
      return;
    }
  for (guint i = 0; i < ast->n_children; i++)
    collect (ast->children[i], references);
}

void
deca_expr_collect_references (DecaExpr  *expr,
                              GPtrArray *references)
{
  g_return_if_fail (expr != NULL);
  g_return_if_fail (references != NULL);

  collect (expr->root, references);
}
