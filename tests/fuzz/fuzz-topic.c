/* fuzz-topic.c: libFuzzer target for topics, patterns and the subscription index
 *
 * The input is lines: the first is a topic, the others are patterns. Each is validated as
 * a topic and as a pattern; every valid pattern goes into an index, and the index's answer
 * for a valid topic must be exactly the patterns that match it one by one. Crashes, leaks,
 * sanitizer reports and a disagreement (abort) are the findings.
 */

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "deca-topic.h"

int LLVMFuzzerTestOneInput (const uint8_t *data,
                            size_t         size);

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  g_autofree char *text = g_strndup ((const char *) data, size);
  g_auto(GStrv) lines = g_strsplit (text, "\n", 64);
  g_autoptr(DecaTopicIndex) index = deca_topic_index_new ();
  g_autoptr(GHashTable) expected = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  const char *topic = lines[0] != NULL ? lines[0] : "";
  gboolean topic_valid = deca_topic_validate (topic, NULL);

  for (guint i = 0; lines[i] != NULL; i++)
    {
      g_autoptr(GError) error = NULL;
      g_autofree char *subscriber = g_strdup_printf ("s%u", i % 5);

      deca_topic_validate (lines[i], NULL);
      if (!deca_topic_pattern_validate (lines[i], &error))
        {
          /* Every refusal says why, and the index refuses the same. */
          if (error == NULL || error->message[0] == '\0' ||
              deca_topic_index_add (index, lines[i], subscriber, NULL))
            abort ();
          continue;
        }
      if (!deca_topic_index_add (index, lines[i], subscriber, NULL))
        abort ();
      /* A valid topic is a valid pattern that matches itself. */
      if (deca_topic_validate (lines[i], NULL) && !deca_topic_pattern_matches (lines[i], lines[i]))
        abort ();
      if (topic_valid && deca_topic_pattern_matches (lines[i], topic))
        g_hash_table_add (expected, g_steal_pointer (&subscriber));
    }

  {
    g_autoptr(GPtrArray) found = deca_topic_index_match (index, topic);

    if (found->len != (topic_valid ? g_hash_table_size (expected) : 0))
      abort ();
    for (guint i = 0; i < found->len; i++)
      if (!g_hash_table_contains (expected, found->pdata[i]))
        abort ();
  }

  /* Removing everything leaves an empty index. */
  for (guint s = 0; s < 5; s++)
    {
      g_autofree char *subscriber = g_strdup_printf ("s%u", s);

      deca_topic_index_remove_subscriber (index, subscriber);
    }
  if (deca_topic_index_get_size (index) != 0)
    abort ();
  return 0;
}
