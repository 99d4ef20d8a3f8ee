/* deca-router.c: method and path-pattern routing (deca-router.h). */

#include "config.h"

#include <string.h>

#include "deca-router.h"
#include "deca-server-error.h"

typedef enum {
  SEGMENT_LITERAL,
  SEGMENT_PARAM,
  SEGMENT_REST,
} SegmentKind;

typedef struct {
  SegmentKind kind;
  char *text;   /* the literal, or the parameter's name */
} Segment;

struct _DecaRoute
{
  char *method;
  char *pattern;
  DecaRouteFlags flags;
  guint64 required_permissions;
  GArray *segments;  /* Segment */
  DecaRouteHandler handler;
  gpointer user_data;
  GDestroyNotify destroy;
};

struct _DecaRouter
{
  GObject parent_instance;

  GPtrArray *routes;  /* DecaRoute, in the order added; owns them */
  /* The routes a path can match by its first segment, so that a request looks at a few
   * instead of every route of the server: a literal first segment ("api", "webhook") ->
   * GPtrArray of the routes that begin with it or with a parameter, in the order added;
   * @open holds those that begin with a parameter or have no segment, for a path whose
   * first segment no route has literally. */
  GHashTable *by_first;
  GPtrArray *open;
  guint max_segments; /* the most segments a route has */
};

G_DEFINE_FINAL_TYPE (DecaRouter, deca_router, G_TYPE_OBJECT)

static void
segment_clear (gpointer data)
{
  Segment *segment = data;

  g_free (segment->text);
}

static void
route_free (gpointer data)
{
  DecaRoute *route = data;

  if (route->destroy != NULL)
    route->destroy (route->user_data);
  g_free (route->method);
  g_free (route->pattern);
  g_array_unref (route->segments);
  g_free (route);
}

static void
deca_router_finalize (GObject *object)
{
  DecaRouter *self = DECA_ROUTER (object);

  g_hash_table_unref (self->by_first);
  g_ptr_array_unref (self->open);
  g_ptr_array_unref (self->routes);
  G_OBJECT_CLASS (deca_router_parent_class)->finalize (object);
}

static void
deca_router_class_init (DecaRouterClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = deca_router_finalize;
}

static void
deca_router_init (DecaRouter *self)
{
  self->routes = g_ptr_array_new_with_free_func (route_free);
  self->by_first = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, (GDestroyNotify) g_ptr_array_unref);
  self->open = g_ptr_array_new ();
}

DecaRouter *
deca_router_new (void)
{
  return g_object_new (DECA_TYPE_ROUTER, NULL);
}

const char *
deca_route_get_method (const DecaRoute *route)
{
  g_return_val_if_fail (route != NULL, NULL);
  return route->method;
}

const char *
deca_route_get_pattern (const DecaRoute *route)
{
  g_return_val_if_fail (route != NULL, NULL);
  return route->pattern;
}

DecaRouteFlags
deca_route_get_flags (const DecaRoute *route)
{
  g_return_val_if_fail (route != NULL, DECA_ROUTE_NONE);
  return route->flags;
}

guint64
deca_route_get_required_permissions (const DecaRoute *route)
{
  g_return_val_if_fail (route != NULL, 0);
  return route->required_permissions;
}

void
deca_route_set_required_permissions (DecaRoute *route,
                                     guint64    permissions)
{
  g_return_if_fail (route != NULL);
  route->required_permissions = permissions;
}

void
deca_route_invoke (const DecaRoute *route,
                   DecaRequest     *request)
{
  g_return_if_fail (route != NULL);
  route->handler (request, route->user_data);
}

static gboolean
is_param_name (const char *name,
               gsize       len)
{
  if (len == 0 || !(g_ascii_isalpha (name[0]) || name[0] == '_'))
    return FALSE;
  for (gsize i = 1; i < len; i++)
    if (!(g_ascii_isalnum (name[i]) || name[i] == '_'))
      return FALSE;
  return TRUE;
}

/* Splits @pattern into segments; NULL with @error when it is malformed. */
static GArray *
parse_pattern (const char  *pattern,
               GError     **error)
{
  g_autoptr(GArray) segments = g_array_new (FALSE, TRUE, sizeof (Segment));
  g_auto(GStrv) parts = NULL;

  g_array_set_clear_func (segments, segment_clear);
  if (pattern[0] != '/')
    {
      g_set_error (error, DECA_SERVER_ERROR, DECA_SERVER_ERROR_CONFIG,
                   "route pattern '%s' does not start with '/'", pattern);
      return NULL;
    }
  if (g_str_equal (pattern, "/"))
    return g_steal_pointer (&segments);

  parts = g_strsplit (pattern + 1, "/", -1);
  for (guint i = 0; parts[i] != NULL; i++)
    {
      const char *part = parts[i];
      gsize len = strlen (part);
      Segment segment = { SEGMENT_LITERAL, NULL };

      if (len == 0)
        {
          g_set_error (error, DECA_SERVER_ERROR, DECA_SERVER_ERROR_CONFIG,
                       "route pattern '%s' has an empty segment", pattern);
          return NULL;
        }
      if (part[0] == '{')
        {
          gsize name_len = len - 2;

          if (part[len - 1] != '}' || len < 3)
            {
              g_set_error (error, DECA_SERVER_ERROR, DECA_SERVER_ERROR_CONFIG,
                           "route pattern '%s': segment '%s' is not a {parameter}", pattern, part);
              return NULL;
            }
          segment.kind = SEGMENT_PARAM;
          if (part[len - 2] == '*')
            {
              segment.kind = SEGMENT_REST;
              name_len--;
              if (parts[i + 1] != NULL)
                {
                  g_set_error (error, DECA_SERVER_ERROR, DECA_SERVER_ERROR_CONFIG,
                               "route pattern '%s': the rest parameter '%s' is not the last segment",
                               pattern, part);
                  return NULL;
                }
            }
          if (!is_param_name (part + 1, name_len))
            {
              g_set_error (error, DECA_SERVER_ERROR, DECA_SERVER_ERROR_CONFIG,
                           "route pattern '%s': '%s' is not a valid parameter name", pattern, part);
              return NULL;
            }
          segment.text = g_strndup (part + 1, name_len);
          for (guint j = 0; j < segments->len; j++)
            {
              Segment *other = &g_array_index (segments, Segment, j);

              if (other->kind != SEGMENT_LITERAL && g_str_equal (other->text, segment.text))
                {
                  g_set_error (error, DECA_SERVER_ERROR, DECA_SERVER_ERROR_CONFIG,
                               "route pattern '%s' names the parameter '%s' twice",
                               pattern, segment.text);
                  g_free (segment.text);
                  return NULL;
                }
            }
        }
      else if (strchr (part, '{') != NULL || strchr (part, '}') != NULL)
        {
          g_set_error (error, DECA_SERVER_ERROR, DECA_SERVER_ERROR_CONFIG,
                       "route pattern '%s': a parameter must be a whole segment ('%s')", pattern, part);
          return NULL;
        }
      else
        segment.text = g_strdup (part);
      g_array_append_val (segments, segment);
    }
  return g_steal_pointer (&segments);
}

/* Adds @route, the last one added, to the candidates of the paths it can match. */
static void
index_route (DecaRouter *self,
             DecaRoute  *route)
{
  const Segment *first = route->segments->len > 0 ? &g_array_index (route->segments, Segment, 0) : NULL;

  self->max_segments = MAX (self->max_segments, route->segments->len);
  if (first != NULL && first->kind == SEGMENT_LITERAL)
    {
      GPtrArray *bucket = g_hash_table_lookup (self->by_first, first->text);

      if (bucket == NULL)
        {
          /* The open routes added before this one come first, as in the list of all. */
          bucket = g_ptr_array_copy (self->open, NULL, NULL);
          g_hash_table_insert (self->by_first, g_strdup (first->text), bucket);
        }
      g_ptr_array_add (bucket, route);
      return;
    }
  {
    GHashTableIter iter;
    gpointer bucket;

    /* A route with no segment matches only "/", but one that begins with a parameter
     * matches under every first segment. */
    g_ptr_array_add (self->open, route);
    g_hash_table_iter_init (&iter, self->by_first);
    while (first != NULL && g_hash_table_iter_next (&iter, NULL, &bucket))
      g_ptr_array_add (bucket, route);
  }
}

DecaRoute *
deca_router_add (DecaRouter       *self,
                 const char       *method,
                 const char       *pattern,
                 DecaRouteFlags    flags,
                 DecaRouteHandler  handler,
                 gpointer          user_data,
                 GDestroyNotify    destroy,
                 GError          **error)
{
  g_autoptr(GArray) segments = NULL;
  DecaRoute *route;

  g_return_val_if_fail (DECA_IS_ROUTER (self), NULL);
  g_return_val_if_fail (method != NULL && method[0] != '\0', NULL);
  g_return_val_if_fail (pattern != NULL, NULL);
  g_return_val_if_fail (handler != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (!(segments = parse_pattern (pattern, error)))
    return NULL;
  for (guint i = 0; i < self->routes->len; i++)
    {
      DecaRoute *other = g_ptr_array_index (self->routes, i);

      if (g_str_equal (other->method, method) && g_str_equal (other->pattern, pattern))
        {
          g_set_error (error, DECA_SERVER_ERROR, DECA_SERVER_ERROR_CONFIG,
                       "the route %s %s exists already", method, pattern);
          return NULL;
        }
    }

  route = g_new0 (DecaRoute, 1);
  route->method = g_strdup (method);
  route->pattern = g_strdup (pattern);
  route->flags = flags;
  route->segments = g_steal_pointer (&segments);
  route->handler = handler;
  route->user_data = user_data;
  route->destroy = destroy;
  g_ptr_array_add (self->routes, route);
  index_route (self, route);
  return route;
}

/* Matches @parts (the path's segments, @n_parts of them, pointing into a copy of @path
 * without its first "/" in which each "/" became a NUL) against @route. On a match
 * returns TRUE and fills @rank (one SegmentKind per segment of the route, room for
 * them all: lower is more specific) and @n_rank and, when not NULL, @params. */
static gboolean
match_route (const DecaRoute *route,
             char           **parts,
             guint            n_parts,
             const char      *copy,
             const char      *path,
             guint           *rank,
             guint           *n_rank,
             GHashTable      *params)
{
  guint i;

  *n_rank = 0;
  for (i = 0; i < route->segments->len; i++)
    {
      const Segment *segment = &g_array_index (route->segments, Segment, i);

      if (i >= n_parts)
        return FALSE;
      rank[(*n_rank)++] = segment->kind;
      switch (segment->kind)
        {
        case SEGMENT_LITERAL:
          if (!g_str_equal (segment->text, parts[i]))
            return FALSE;
          break;
        case SEGMENT_PARAM:
          if (params != NULL)
            g_hash_table_insert (params, g_strdup (segment->text), g_strdup (parts[i]));
          break;
        case SEGMENT_REST:
          /* The rest of the path as sent, its slashes included. */
          if (params != NULL)
            g_hash_table_insert (params, g_strdup (segment->text), g_strdup (path + 1 + (parts[i] - copy)));
          return TRUE;
        default:
          g_assert_not_reached ();
        }
    }
  return i == n_parts;
}

/* Whether the rank @a is more specific than @b: the first differing segment decides;
 * a longer match of equal kinds is more specific. */
static gboolean
rank_better (const guint *a,
             guint        a_len,
             const guint *b,
             guint        b_len)
{
  for (guint i = 0; i < a_len && i < b_len; i++)
    if (a[i] != b[i])
      return a[i] < b[i];
  return a_len > b_len;
}

static int
compare_strings (gconstpointer a,
                 gconstpointer b)
{
  return strcmp (*(const char **) a, *(const char **) b);
}

/* The most segments a path is split into on the stack; longer ones take the heap. */
#define STACK_PARTS 32

DecaRouterMatch
deca_router_match (DecaRouter       *self,
                   const char       *method,
                   const char       *path,
                   const DecaRoute **route,
                   GHashTable      **params,
                   char            **allow)
{
  g_autofree char *copy = NULL;
  char *stack_parts[STACK_PARTS];
  g_autofree char **heap_parts = NULL;
  char **parts = stack_parts;
  guint *rank, *best_rank;
  guint n_rank = 0, n_best_rank = 0;
  /* The other methods of the matching patterns, for a 405's Allow: rarely more than a
   * few, so without an allocation unless there are. */
  const char *methods[16];
  g_autoptr(GPtrArray) more_methods = NULL;
  guint n_methods = 0;
  const DecaRoute *best = NULL;
  GPtrArray *candidates;
  guint n_parts = 0;

  g_return_val_if_fail (DECA_IS_ROUTER (self), DECA_ROUTER_MATCH_NO_PATH);
  g_return_val_if_fail (method != NULL, DECA_ROUTER_MATCH_NO_PATH);
  g_return_val_if_fail (path != NULL, DECA_ROUTER_MATCH_NO_PATH);

  if (route != NULL)
    *route = NULL;
  if (params != NULL)
    *params = NULL;
  if (allow != NULL)
    *allow = NULL;
  if (path[0] != '/')
    return DECA_ROUTER_MATCH_NO_PATH;

  /* The segments, split in one copy of the path rather than one string each. */
  if (!g_str_equal (path, "/"))
    {
      guint n_slashes = 0;
      char *p;

      copy = g_strdup (path + 1);
      for (p = copy; *p != '\0'; p++)
        n_slashes += *p == '/';
      if (n_slashes + 1 > STACK_PARTS)
        parts = heap_parts = g_new (char *, n_slashes + 1);
      parts[n_parts++] = copy;
      for (p = copy; *p != '\0'; p++)
        if (*p == '/')
          {
            *p = '\0';
            parts[n_parts++] = p + 1;
          }
    }
  /* An empty segment ("//", a trailing "/") matches no pattern: patterns have none. */
  for (guint i = 0; i < n_parts; i++)
    if (parts[i][0] == '\0')
      return DECA_ROUTER_MATCH_NO_PATH;

  rank = g_newa (guint, self->max_segments + 1);
  best_rank = g_newa (guint, self->max_segments + 1);
  candidates = n_parts > 0 ? g_hash_table_lookup (self->by_first, parts[0]) : NULL;
  if (candidates == NULL)
    candidates = self->open;
  for (guint i = 0; i < candidates->len; i++)
    {
      const DecaRoute *candidate = g_ptr_array_index (candidates, i);

      if (!match_route (candidate, parts, n_parts, copy, path, rank, &n_rank, NULL))
        continue;
      if (!g_str_equal (candidate->method, method))
        {
          gboolean known = FALSE;

          for (guint j = 0; j < n_methods; j++)
            known |= g_str_equal (methods[j], candidate->method);
          for (guint j = 0; more_methods != NULL && j < more_methods->len; j++)
            known |= g_str_equal (g_ptr_array_index (more_methods, j), candidate->method);
          if (known)
            continue;
          if (n_methods < G_N_ELEMENTS (methods))
            methods[n_methods++] = candidate->method;
          else
            {
              if (more_methods == NULL)
                more_methods = g_ptr_array_new ();
              g_ptr_array_add (more_methods, candidate->method);
            }
          continue;
        }
      if (best == NULL || rank_better (rank, n_rank, best_rank, n_best_rank))
        {
          best = candidate;
          memcpy (best_rank, rank, n_rank * sizeof (guint));
          n_best_rank = n_rank;
        }
    }

  /* HEAD is GET without the body (RFC 9110, 9.3.2): a GET route answers it when no
   * route is for HEAD itself; libsoup leaves the body out. */
  if (best == NULL && g_str_equal (method, "HEAD"))
    return deca_router_match (self, "GET", path, route, params, allow);

  if (best != NULL)
    {
      if (route != NULL)
        *route = best;
      if (params != NULL)
        {
          *params = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
          match_route (best, parts, n_parts, copy, path, rank, &n_rank, *params);
        }
      return DECA_ROUTER_MATCH_FOUND;
    }
  if (n_methods == 0)
    return DECA_ROUTER_MATCH_NO_PATH;

  if (allow != NULL)
    {
      g_autoptr(GPtrArray) all = g_ptr_array_new ();
      gboolean get = FALSE, head = FALSE;

      for (guint j = 0; j < n_methods; j++)
        g_ptr_array_add (all, (char *) methods[j]);
      for (guint j = 0; more_methods != NULL && j < more_methods->len; j++)
        g_ptr_array_add (all, g_ptr_array_index (more_methods, j));
      for (guint j = 0; j < all->len; j++)
        {
          get |= g_str_equal (g_ptr_array_index (all, j), "GET");
          head |= g_str_equal (g_ptr_array_index (all, j), "HEAD");
        }
      if (get && !head)
        g_ptr_array_add (all, (char *) "HEAD");
      g_ptr_array_sort (all, compare_strings);
      g_ptr_array_add (all, NULL);
      *allow = g_strjoinv (", ", (char **) all->pdata);
    }
  return DECA_ROUTER_MATCH_NO_METHOD;
}

void
deca_router_foreach_route (DecaRouter    *self,
                           DecaRouteFunc  func,
                           gpointer       user_data)
{
  g_return_if_fail (DECA_IS_ROUTER (self));
  g_return_if_fail (func != NULL);

  for (guint i = 0; i < self->routes->len; i++)
    func (g_ptr_array_index (self->routes, i), user_data);
}
