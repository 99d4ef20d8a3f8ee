/* deca-topic.c: event topics, subscription patterns and the index of subscriptions.
 *
 * The index is a trie keyed by token. Each node has literal children (a hash table), a
 * child for "*", the subscribers whose pattern ends at the node and the subscribers whose
 * pattern continues with ">" after it. A lookup descends along the topic's tokens into the
 * literal child and the "*" child at every level, and collects the ">" subscribers of
 * every node it passes with tokens left, so its cost grows with the number of matching
 * branches, not with the number of patterns.
 */

#include "config.h"

#include <glib/gi18n-lib.h>

#include "deca-topic.h"

#include <string.h>

#include "deca-engine-error.h"

/* Length of the token starting at @p (up to '.' or the end). */
static gsize
token_length (const char *p)
{
  const char *end = strchr (p, '.');

  return end != NULL ? (gsize) (end - p) : strlen (p);
}

/* Checks @text as a topic (@is_pattern FALSE) or a pattern. */
static gboolean
topic_check (const char  *text,
             gboolean     is_pattern,
             GError     **error)
{
  gsize length;
  guint token = 1;
  guint n_tokens = 1;
  const char *p;

  if (text == NULL || *text == '\0')
    {
      g_set_error_literal (error, DECA_ENGINE_ERROR, DECA_ENGINE_ERROR_INVALID,
                           is_pattern ? _("the pattern is empty") : _("the topic is empty"));
      return FALSE;
    }

  length = strlen (text);
  if (length > DECA_TOPIC_MAX_LENGTH)
    {
      g_autofree char *bytes = g_strdup_printf ("%" G_GSIZE_FORMAT, length);

      /* Translators: the first %s is a number of bytes */
      g_set_error (error, DECA_ENGINE_ERROR, DECA_ENGINE_ERROR_LIMIT,
                   _("is %s bytes long; at most %d are allowed"), bytes, DECA_TOPIC_MAX_LENGTH);
      return FALSE;
    }
  if (!g_utf8_validate (text, length, NULL))
    {
      g_set_error_literal (error, DECA_ENGINE_ERROR, DECA_ENGINE_ERROR_INVALID,
                           _("is not valid UTF-8"));
      return FALSE;
    }

  for (p = text; *p != '\0'; p++)
    n_tokens += *p == '.';

  p = text;
  for (;;)
    {
      gsize len = token_length (p);
      g_autofree char *shown = g_strndup (p, len);

      if (len == 0)
        {
          g_set_error (error, DECA_ENGINE_ERROR, DECA_ENGINE_ERROR_INVALID,
                       _("token %u is empty: tokens are names separated by single dots, as "
                         "in crm.contact.created"), token);
          return FALSE;
        }

      if (len == 1 && (*p == '*' || *p == '>'))
        {
          if (!is_pattern)
            {
              g_set_error (error, DECA_ENGINE_ERROR, DECA_ENGINE_ERROR_INVALID,
                           _("token %u is the wildcard '%c'; wildcards are only allowed in "
                             "subscription patterns, not in published topics"), token, *p);
              return FALSE;
            }
          if (*p == '>' && token != n_tokens)
            {
              g_set_error (error, DECA_ENGINE_ERROR, DECA_ENGINE_ERROR_INVALID,
                           _("'>' must be the last token (it is token %u of %u); use '*' "
                             "for one token in the middle"), token, n_tokens);
              return FALSE;
            }
        }
      else
        {
          /* Walk the token by characters so that the position shown counts characters. */
          guint character = 1;

          for (const char *c = p; c < p + len; c = g_utf8_next_char (c), character++)
            {
              if (*c == '*' || *c == '>')
                {
                  g_set_error (error, DECA_ENGINE_ERROR, DECA_ENGINE_ERROR_INVALID,
                               _("token %u ('%s') contains '%c'; a wildcard must be a whole "
                                 "token, and topics cannot contain '*' or '>'"),
                               token, shown, *c);
                  return FALSE;
                }
              if ((guchar) *c <= ' ' || *c == 0x7f)
                {
                  g_set_error (error, DECA_ENGINE_ERROR, DECA_ENGINE_ERROR_INVALID,
                               *c == ' '
                               ? _("token %u contains a space at character %u; tokens cannot "
                                   "contain spaces or control characters")
                               : _("token %u contains a control character at character %u; "
                                   "tokens cannot contain spaces or control characters"),
                               token, character);
                  return FALSE;
                }
            }
        }

      if (p[len] == '\0')
        return TRUE;
      p += len + 1;
      token++;
    }
}

/*
 * deca_topic_validate:
 * Checks that @topic can be published to: 1 to DECA_TOPIC_MAX_LENGTH bytes of UTF-8,
 * non-empty tokens separated by '.', no spaces, control characters or wildcards. Returns
 * FALSE with DECA_ENGINE_ERROR_INVALID (DECA_ENGINE_ERROR_LIMIT for the length) otherwise.
 */
gboolean
deca_topic_validate (const char  *topic,
                     GError     **error)
{
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);
  return topic_check (topic, FALSE, error);
}

/*
 * deca_topic_pattern_validate:
 * Like deca_topic_validate(), but "*" may be any token and ">" the last one.
 */
gboolean
deca_topic_pattern_validate (const char  *pattern,
                             GError     **error)
{
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);
  return topic_check (pattern, TRUE, error);
}

/*
 * deca_topic_pattern_matches:
 * Token by token: "*" takes any one token, ">" takes the rest (at least one token, which
 * a valid topic always has where the pattern has a token), anything else must be equal.
 */
gboolean
deca_topic_pattern_matches (const char *pattern,
                            const char *topic)
{
  const char *p = pattern;
  const char *t = topic;

  g_return_val_if_fail (pattern != NULL, FALSE);
  g_return_val_if_fail (topic != NULL, FALSE);

  for (;;)
    {
      gsize plen = token_length (p);
      gsize tlen = token_length (t);

      if (plen == 1 && *p == '>')
        return tlen > 0;
      if (!(plen == 1 && *p == '*') && (plen != tlen || memcmp (p, t, plen) != 0))
        return FALSE;
      if (p[plen] == '\0' || t[tlen] == '\0')
        return p[plen] == '\0' && t[tlen] == '\0';
      p += plen + 1;
      t += tlen + 1;
    }
}

/* --- the index ------------------------------------------------------------------------ */

typedef struct _TopicNode TopicNode;

struct _TopicNode
{
  TopicNode *parent;
  char *token;              /* the key in the parent's children; NULL for root and "*" */
  GHashTable *children;     /* token -> TopicNode, NULL while there are none */
  TopicNode *star;
  GHashTable *here;         /* set of subscribers whose pattern ends here, or NULL */
  GHashTable *rest;         /* set of subscribers whose pattern is this path + ">", or NULL */
};

struct _DecaTopicIndex
{
  TopicNode *root;
  GHashTable *by_subscriber;  /* subscriber -> set of patterns */
  guint size;
};

static void topic_node_free (TopicNode *node);

static TopicNode *
topic_node_new (TopicNode  *parent,
                const char *token)
{
  TopicNode *node = g_new0 (TopicNode, 1);

  node->parent = parent;
  node->token = g_strdup (token);
  return node;
}

static void
topic_node_free (TopicNode *node)
{
  if (node == NULL)
    return;
  g_clear_pointer (&node->children, g_hash_table_unref);
  g_clear_pointer (&node->star, topic_node_free);
  g_clear_pointer (&node->here, g_hash_table_unref);
  g_clear_pointer (&node->rest, g_hash_table_unref);
  g_free (node->token);
  g_free (node);
}

static gboolean
set_is_empty (GHashTable *set)
{
  return set == NULL || g_hash_table_size (set) == 0;
}

static gboolean
topic_node_is_empty (TopicNode *node)
{
  return set_is_empty (node->children) && node->star == NULL &&
         set_is_empty (node->here) && set_is_empty (node->rest);
}

static GHashTable *
new_string_set (void)
{
  return g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
}

DecaTopicIndex *
deca_topic_index_new (void)
{
  DecaTopicIndex *self = g_new0 (DecaTopicIndex, 1);

  self->root = topic_node_new (NULL, NULL);
  self->by_subscriber = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                               (GDestroyNotify) g_hash_table_unref);
  return self;
}

void
deca_topic_index_free (DecaTopicIndex *self)
{
  if (self == NULL)
    return;
  topic_node_free (self->root);
  g_hash_table_unref (self->by_subscriber);
  g_free (self);
}

/* Walks (@create: builds) the path of @pattern's tokens up to, not including, a last ">".
 * Returns the node, or NULL when it does not exist; *@ends_with_rest says whether the
 * pattern ends with ">". */
static TopicNode *
topic_index_walk (DecaTopicIndex *self,
                  const char     *pattern,
                  gboolean        create,
                  gboolean       *ends_with_rest)
{
  TopicNode *node = self->root;
  const char *p = pattern;

  *ends_with_rest = FALSE;
  for (;;)
    {
      gsize len = token_length (p);
      g_autofree char *token = g_strndup (p, len);
      TopicNode *next;

      if (len == 1 && *p == '>')
        {
          *ends_with_rest = TRUE;
          return node;
        }
      if (len == 1 && *p == '*')
        {
          if (node->star == NULL && create)
            node->star = topic_node_new (node, NULL);
          next = node->star;
        }
      else
        {
          next = node->children ? g_hash_table_lookup (node->children, token) : NULL;
          if (next == NULL && create)
            {
              if (node->children == NULL)
                node->children = g_hash_table_new_full (g_str_hash, g_str_equal, NULL,
                                                        (GDestroyNotify) topic_node_free);
              next = topic_node_new (node, token);
              g_hash_table_insert (node->children, next->token, next);
            }
        }
      if (next == NULL)
        return NULL;
      node = next;
      if (p[len] == '\0')
        return node;
      p += len + 1;
    }
}

/* Frees the nodes on the way up from @node that no longer hold anything. */
static void
topic_index_prune (DecaTopicIndex *self,
                   TopicNode      *node)
{
  while (node != self->root && topic_node_is_empty (node))
    {
      TopicNode *parent = node->parent;

      if (node == parent->star)
        g_clear_pointer (&parent->star, topic_node_free);
      else
        g_hash_table_remove (parent->children, node->token);  /* frees @node */
      node = parent;
    }
}

/*
 * deca_topic_index_add:
 * Validates @pattern and subscribes @subscriber (copied) to it. Idempotent.
 */
gboolean
deca_topic_index_add (DecaTopicIndex  *self,
                      const char      *pattern,
                      const char      *subscriber,
                      GError         **error)
{
  TopicNode *node;
  GHashTable *patterns;
  GHashTable **set;
  gboolean rest;

  g_return_val_if_fail (self != NULL, FALSE);
  g_return_val_if_fail (subscriber != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (!deca_topic_pattern_validate (pattern, error))
    return FALSE;

  patterns = g_hash_table_lookup (self->by_subscriber, subscriber);
  if (patterns != NULL && g_hash_table_contains (patterns, pattern))
    return TRUE;

  node = topic_index_walk (self, pattern, TRUE, &rest);
  set = rest ? &node->rest : &node->here;
  if (*set == NULL)
    *set = new_string_set ();
  g_hash_table_add (*set, g_strdup (subscriber));

  if (patterns == NULL)
    {
      patterns = new_string_set ();
      g_hash_table_insert (self->by_subscriber, g_strdup (subscriber), patterns);
    }
  g_hash_table_add (patterns, g_strdup (pattern));
  self->size++;
  return TRUE;
}

gboolean
deca_topic_index_remove (DecaTopicIndex *self,
                         const char     *pattern,
                         const char     *subscriber)
{
  GHashTable *patterns;
  TopicNode *node;
  gboolean rest;

  g_return_val_if_fail (self != NULL, FALSE);
  g_return_val_if_fail (pattern != NULL, FALSE);
  g_return_val_if_fail (subscriber != NULL, FALSE);

  patterns = g_hash_table_lookup (self->by_subscriber, subscriber);
  if (patterns == NULL || !g_hash_table_remove (patterns, pattern))
    return FALSE;
  if (g_hash_table_size (patterns) == 0)
    g_hash_table_remove (self->by_subscriber, subscriber);

  /* The pattern was added, so its path exists. */
  node = topic_index_walk (self, pattern, FALSE, &rest);
  g_assert (node != NULL);
  g_hash_table_remove (rest ? node->rest : node->here, subscriber);
  topic_index_prune (self, node);
  self->size--;
  return TRUE;
}

guint
deca_topic_index_remove_subscriber (DecaTopicIndex *self,
                                    const char     *subscriber)
{
  g_auto(GStrv) patterns = NULL;
  guint removed = 0;

  g_return_val_if_fail (self != NULL, 0);
  g_return_val_if_fail (subscriber != NULL, 0);

  patterns = deca_topic_index_dup_patterns (self, subscriber);
  for (guint i = 0; patterns[i] != NULL; i++)
    removed += deca_topic_index_remove (self, patterns[i], subscriber);
  return removed;
}

static void
add_all (GHashTable *found,
         GHashTable *set)
{
  GHashTableIter iter;
  gpointer key;

  if (set == NULL)
    return;
  g_hash_table_iter_init (&iter, set);
  while (g_hash_table_iter_next (&iter, &key, NULL))
    g_hash_table_add (found, key);  /* borrowed: @found lives shorter than the index */
}

static void
topic_index_collect (TopicNode   *node,
                     char       **tokens,
                     guint        depth,
                     guint        n_tokens,
                     GHashTable  *found)
{
  TopicNode *child;

  if (depth < n_tokens)
    add_all (found, node->rest);
  if (depth == n_tokens)
    {
      add_all (found, node->here);
      return;
    }
  if (node->children != NULL &&
      (child = g_hash_table_lookup (node->children, tokens[depth])) != NULL)
    topic_index_collect (child, tokens, depth + 1, n_tokens, found);
  if (node->star != NULL)
    topic_index_collect (node->star, tokens, depth + 1, n_tokens, found);
}

static int
compare_strings (gconstpointer a,
                 gconstpointer b)
{
  return strcmp (*(const char * const *) a, *(const char * const *) b);
}

GPtrArray *
deca_topic_index_match (DecaTopicIndex *self,
                        const char     *topic)
{
  g_autoptr(GHashTable) found = NULL;
  g_auto(GStrv) tokens = NULL;
  GPtrArray *result;
  GHashTableIter iter;
  gpointer key;

  g_return_val_if_fail (self != NULL, NULL);

  result = g_ptr_array_new_with_free_func (g_free);
  if (!deca_topic_validate (topic, NULL))
    return result;

  found = g_hash_table_new (g_str_hash, g_str_equal);
  tokens = g_strsplit (topic, ".", -1);
  topic_index_collect (self->root, tokens, 0, g_strv_length (tokens), found);

  g_hash_table_iter_init (&iter, found);
  while (g_hash_table_iter_next (&iter, &key, NULL))
    g_ptr_array_add (result, g_strdup (key));
  g_ptr_array_sort (result, compare_strings);
  return result;
}

GStrv
deca_topic_index_dup_patterns (DecaTopicIndex *self,
                               const char     *subscriber)
{
  GHashTable *patterns;
  GPtrArray *result;
  GHashTableIter iter;
  gpointer key;

  g_return_val_if_fail (self != NULL, NULL);
  g_return_val_if_fail (subscriber != NULL, NULL);

  result = g_ptr_array_new ();
  patterns = g_hash_table_lookup (self->by_subscriber, subscriber);
  if (patterns != NULL)
    {
      g_hash_table_iter_init (&iter, patterns);
      while (g_hash_table_iter_next (&iter, &key, NULL))
        g_ptr_array_add (result, g_strdup (key));
    }
  g_ptr_array_sort (result, compare_strings);
  g_ptr_array_add (result, NULL);
  return (GStrv) g_ptr_array_free (result, FALSE);
}

guint
deca_topic_index_get_size (DecaTopicIndex *self)
{
  g_return_val_if_fail (self != NULL, 0);
  return self->size;
}
