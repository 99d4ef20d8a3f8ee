#pragma once

#include <glib.h>

G_BEGIN_DECLS

/*
 * Event topics and subscription patterns, in the style of NATS subjects (docs/dispatch.md).
 *
 * A topic is a list of tokens separated by '.': "crm.contact.created". A token is any
 * UTF-8 text without '.', spaces, control characters, '*' or '>'. A pattern is a topic in
 * which a token may also be a wildcard: "*" matches exactly one token, ">" matches one or
 * more tokens and may only be the last token. So "crm.contact.*" matches
 * "crm.contact.created" but not "crm.contact" or "crm.contact.a.b"; "crm.>" matches both
 * of the latter; ">" matches every topic.
 */

/* Topics and patterns are at most this many bytes long. */
#define DECA_TOPIC_MAX_LENGTH 256

/* Checks that @topic is a topic one can publish to (no wildcards). Returns FALSE with
 * DECA_ENGINE_ERROR_INVALID (DECA_ENGINE_ERROR_LIMIT when too long) and a message naming
 * the token and the problem ("token 2 is empty ..."). @topic NULL is an empty topic. */
gboolean   deca_topic_validate          (const char  *topic,
                                         GError     **error);
/* The same for a subscription pattern, which may use "*" and a last ">". */
gboolean   deca_topic_pattern_validate  (const char  *pattern,
                                         GError     **error);
/* Whether the valid @pattern matches the valid @topic. Allocates nothing. Invalid input
 * gives an unspecified answer, never a crash. */
gboolean   deca_topic_pattern_matches   (const char  *pattern,
                                         const char  *topic);

/*
 * DecaTopicIndex: patterns -> subscribers (opaque strings, such as flow ids), answering
 * "who is subscribed to this topic" without looking at every pattern: the patterns are
 * kept in a trie of tokens, and a lookup only walks the branches that can match (the
 * topic's own token, "*" and ">") at each level. Not thread-safe.
 */
typedef struct _DecaTopicIndex DecaTopicIndex;

DecaTopicIndex *deca_topic_index_new          (void);
void            deca_topic_index_free         (DecaTopicIndex *self);
/* Subscribes @subscriber to @pattern. Adding the same pair again changes nothing. Returns
 * FALSE with the error of deca_topic_pattern_validate() when @pattern is invalid. */
gboolean        deca_topic_index_add          (DecaTopicIndex *self,
                                               const char     *pattern,
                                               const char     *subscriber,
                                               GError        **error);
/* Removes one subscription. Returns whether it existed. */
gboolean        deca_topic_index_remove       (DecaTopicIndex *self,
                                               const char     *pattern,
                                               const char     *subscriber);
/* Removes every subscription of @subscriber. Returns how many there were. */
guint           deca_topic_index_remove_subscriber (DecaTopicIndex *self,
                                                    const char     *subscriber);
/* Returns (transfer full) (element-type utf8) every subscriber with at least one pattern
 * matching @topic, each once, sorted (strcmp). A @topic that is not valid matches
 * nothing. */
GPtrArray      *deca_topic_index_match        (DecaTopicIndex *self,
                                               const char     *topic);
/* Returns (transfer full) the patterns of @subscriber, sorted; an empty vector when it
 * has none. */
GStrv           deca_topic_index_dup_patterns (DecaTopicIndex *self,
                                               const char     *subscriber);
/* The number of (pattern, subscriber) pairs. */
guint           deca_topic_index_get_size     (DecaTopicIndex *self);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (DecaTopicIndex, deca_topic_index_free)

G_END_DECLS
