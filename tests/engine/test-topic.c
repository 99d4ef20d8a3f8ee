/* Event topics: validation, matching, and the subscription index. */

#include <string.h>

#include "deca-engine.h"
#include "deca-topic.h"

static const struct {
  const char *pattern;
  const char *topic;
  gboolean matches;
} match_cases[] = {
  { "crm.contact.created", "crm.contact.created", TRUE },
  { "crm.contact.created", "crm.contact.updated", FALSE },
  { "crm.contact.created", "crm.contact", FALSE },
  { "crm.contact", "crm.contact.created", FALSE },
  { "crm.contact.*", "crm.contact.created", TRUE },
  { "crm.contact.*", "crm.contact", FALSE },
  { "crm.contact.*", "crm.contact.a.b", FALSE },
  { "crm.*.created", "crm.deal.created", TRUE },
  { "crm.*.created", "crm.deal.deleted", FALSE },
  { "*.*", "a.b", TRUE },
  { "*.*", "a", FALSE },
  { "*.*", "a.b.c", FALSE },
  { "*", "a", TRUE },
  { "*", "a.b", FALSE },
  { ">", "a", TRUE },
  { ">", "a.b.c", TRUE },
  { "crm.>", "crm.contact", TRUE },
  { "crm.>", "crm.contact.created.v2", TRUE },
  { "crm.>", "crm", FALSE },
  { "crm.>", "crmx.contact", FALSE },
  { "*.>", "a.b", TRUE },
  { "*.>", "a", FALSE },
  { "crm.*.>", "crm.contact.created", TRUE },
  { "crm.*.>", "crm.contact", FALSE },
  /* Tokens compare whole and by bytes: no prefixes, case matters, UTF-8 is fine. */
  { "crm.con", "crm.contact", FALSE },
  { "crm.contact", "crm.con", FALSE },
  { "CRM.contact", "crm.contact", FALSE },
  { "bestellung.größe", "bestellung.größe", TRUE },
  { "bestellung.*", "bestellung.größe", TRUE },
  { "a-b.c_d.e:f", "a-b.c_d.e:f", TRUE },
};

static void
test_match_table (void)
{
  for (guint i = 0; i < G_N_ELEMENTS (match_cases); i++)
    {
      g_assert_true (deca_topic_pattern_validate (match_cases[i].pattern, NULL));
      g_assert_true (deca_topic_validate (match_cases[i].topic, NULL));
      if (deca_topic_pattern_matches (match_cases[i].pattern, match_cases[i].topic) !=
          match_cases[i].matches)
        g_error ("'%s' against '%s': expected %s", match_cases[i].pattern,
                 match_cases[i].topic, match_cases[i].matches ? "a match" : "no match");
    }
}

static const struct {
  const char *text;
  gboolean is_pattern;
  int code;
  const char *message;
} invalid_cases[] = {
  { "", FALSE, DECA_ENGINE_ERROR_INVALID, "the topic is empty" },
  { "", TRUE, DECA_ENGINE_ERROR_INVALID, "the pattern is empty" },
  { "crm..contact", FALSE, DECA_ENGINE_ERROR_INVALID, "token 2 is empty" },
  { ".crm", TRUE, DECA_ENGINE_ERROR_INVALID, "token 1 is empty" },
  { "crm.", TRUE, DECA_ENGINE_ERROR_INVALID, "token 2 is empty" },
  { ".", FALSE, DECA_ENGINE_ERROR_INVALID, "token 1 is empty" },
  { "crm.>.created", TRUE, DECA_ENGINE_ERROR_INVALID, "'>' must be the last token (it is token 2 of 3)" },
  { ">.>", TRUE, DECA_ENGINE_ERROR_INVALID, "'>' must be the last token (it is token 1 of 2)" },
  { "crm.c*", TRUE, DECA_ENGINE_ERROR_INVALID, "token 2 ('c*') contains '*'" },
  { "crm.>>", TRUE, DECA_ENGINE_ERROR_INVALID, "token 2 ('>>') contains '>'" },
  { "crm.*", FALSE, DECA_ENGINE_ERROR_INVALID, "token 2 is the wildcard '*'; wildcards are only allowed in subscription patterns" },
  { ">", FALSE, DECA_ENGINE_ERROR_INVALID, "token 1 is the wildcard '>'" },
  { "crm.a>b", FALSE, DECA_ENGINE_ERROR_INVALID, "token 2 ('a>b') contains '>'" },
  { "crm contact", FALSE, DECA_ENGINE_ERROR_INVALID, "token 1 contains a space at character 4" },
  { "crm.größe x", TRUE, DECA_ENGINE_ERROR_INVALID, "token 2 contains a space at character 6" },
  { "crm.\tx", FALSE, DECA_ENGINE_ERROR_INVALID, "token 2 contains a control character at character 1" },
  { "crm.x\n", TRUE, DECA_ENGINE_ERROR_INVALID, "token 2 contains a control character at character 2" },
  { "crm.\xff", FALSE, DECA_ENGINE_ERROR_INVALID, "is not valid UTF-8" },
};

static void
test_invalid (void)
{
  g_autofree char *long_topic = NULL;
  g_autoptr(GError) error = NULL;

  for (guint i = 0; i < G_N_ELEMENTS (invalid_cases); i++)
    {
      g_autoptr(GError) case_error = NULL;
      gboolean ok = invalid_cases[i].is_pattern
                    ? deca_topic_pattern_validate (invalid_cases[i].text, &case_error)
                    : deca_topic_validate (invalid_cases[i].text, &case_error);

      g_assert_false (ok);
      g_assert_error (case_error, DECA_ENGINE_ERROR, invalid_cases[i].code);
      if (strstr (case_error->message, invalid_cases[i].message) == NULL)
        g_error ("'%s': expected '%s', got '%s'", invalid_cases[i].text,
                 invalid_cases[i].message, case_error->message);
    }

  /* NULL is an empty topic, not a crash. */
  g_assert_false (deca_topic_validate (NULL, &error));
  g_assert_error (error, DECA_ENGINE_ERROR, DECA_ENGINE_ERROR_INVALID);
  g_clear_error (&error);

  /* The length limit, exactly. */
  long_topic = g_strnfill (DECA_TOPIC_MAX_LENGTH, 'a');
  g_assert_true (deca_topic_validate (long_topic, NULL));
  g_free (long_topic);
  long_topic = g_strnfill (DECA_TOPIC_MAX_LENGTH + 1, 'a');
  g_assert_false (deca_topic_validate (long_topic, &error));
  g_assert_error (error, DECA_ENGINE_ERROR, DECA_ENGINE_ERROR_LIMIT);
  g_assert_nonnull (strstr (error->message, "257 bytes long; at most 256"));
}

static GStrv
match_index (DecaTopicIndex *index,
             const char     *topic)
{
  g_autoptr(GPtrArray) found = deca_topic_index_match (index, topic);

  g_ptr_array_add (found, NULL);
  return (GStrv) g_ptr_array_free (g_steal_pointer (&found), FALSE);
}

static void
assert_strv (GStrv       got,
             const char *expected)
{
  g_autofree char *joined = g_strjoinv (" ", got);

  g_assert_cmpstr (joined, ==, expected);
}

static void
test_index_basic (void)
{
  g_autoptr(DecaTopicIndex) index = deca_topic_index_new ();
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) found = NULL;
  g_auto(GStrv) patterns = NULL;

  g_assert_true (deca_topic_index_add (index, "crm.contact.*", "flow-a", NULL));
  g_assert_true (deca_topic_index_add (index, "crm.>", "flow-b", NULL));
  g_assert_true (deca_topic_index_add (index, ">", "flow-c", NULL));
  g_assert_true (deca_topic_index_add (index, "crm.contact.created", "flow-d", NULL));
  /* flow-a twice through two patterns: delivered once. */
  g_assert_true (deca_topic_index_add (index, "crm.*.created", "flow-a", NULL));
  /* The same pair again changes nothing. */
  g_assert_true (deca_topic_index_add (index, "crm.>", "flow-b", NULL));
  g_assert_cmpuint (deca_topic_index_get_size (index), ==, 5);

  found = match_index (index, "crm.contact.created");
  assert_strv (found, "flow-a flow-b flow-c flow-d");
  g_clear_pointer (&found, g_strfreev);
  found = match_index (index, "crm.contact");
  assert_strv (found, "flow-b flow-c");
  g_clear_pointer (&found, g_strfreev);
  found = match_index (index, "crm");
  assert_strv (found, "flow-c");
  g_clear_pointer (&found, g_strfreev);
  found = match_index (index, "billing.invoice.paid");
  assert_strv (found, "flow-c");
  g_clear_pointer (&found, g_strfreev);
  /* Invalid topics match nothing, not even ">". */
  found = match_index (index, "crm.*");
  assert_strv (found, "");
  g_clear_pointer (&found, g_strfreev);

  patterns = deca_topic_index_dup_patterns (index, "flow-a");
  assert_strv (patterns, "crm.*.created crm.contact.*");
  g_clear_pointer (&patterns, g_strfreev);
  patterns = deca_topic_index_dup_patterns (index, "nobody");
  assert_strv (patterns, "");
  g_clear_pointer (&patterns, g_strfreev);

  /* Invalid patterns are refused with the validator's message. */
  g_assert_false (deca_topic_index_add (index, "crm.>.x", "flow-e", &error));
  g_assert_error (error, DECA_ENGINE_ERROR, DECA_ENGINE_ERROR_INVALID);
  g_assert_cmpuint (deca_topic_index_get_size (index), ==, 5);

  /* Removal. */
  g_assert_true (deca_topic_index_remove (index, "crm.contact.*", "flow-a"));
  g_assert_false (deca_topic_index_remove (index, "crm.contact.*", "flow-a"));
  g_assert_false (deca_topic_index_remove (index, "crm.>", "flow-a"));
  found = match_index (index, "crm.contact.updated");
  assert_strv (found, "flow-b flow-c");
  g_clear_pointer (&found, g_strfreev);
  found = match_index (index, "crm.deal.created");
  assert_strv (found, "flow-a flow-b flow-c");
  g_clear_pointer (&found, g_strfreev);

  g_assert_cmpuint (deca_topic_index_remove_subscriber (index, "flow-c"), ==, 1);
  g_assert_cmpuint (deca_topic_index_remove_subscriber (index, "flow-c"), ==, 0);
  found = match_index (index, "billing.invoice.paid");
  assert_strv (found, "");
  g_clear_pointer (&found, g_strfreev);

  g_assert_cmpuint (deca_topic_index_remove_subscriber (index, "flow-a"), ==, 1);
  g_assert_cmpuint (deca_topic_index_remove_subscriber (index, "flow-b"), ==, 1);
  g_assert_cmpuint (deca_topic_index_remove_subscriber (index, "flow-d"), ==, 1);
  g_assert_cmpuint (deca_topic_index_get_size (index), ==, 0);
  found = match_index (index, "crm.contact.created");
  assert_strv (found, "");
}

/* A random token from a small alphabet, so that random patterns and topics meet often. */
static const char *
random_token (GRand *rand)
{
  static const char * const tokens[] = { "crm", "contact", "deal", "created", "updated",
                                         "billing", "invoice", "paid", "v1", "v2" };

  return tokens[g_rand_int_range (rand, 0, G_N_ELEMENTS (tokens))];
}

static char *
random_pattern (GRand *rand)
{
  GString *out = g_string_new (NULL);
  int n = g_rand_int_range (rand, 1, 6);

  for (int i = 0; i < n; i++)
    {
      int kind = g_rand_int_range (rand, 0, 10);

      if (i > 0)
        g_string_append_c (out, '.');
      if (i == n - 1 && kind == 0)
        g_string_append_c (out, '>');
      else if (kind <= 2)
        g_string_append_c (out, '*');
      else
        g_string_append (out, random_token (rand));
    }
  return g_string_free (out, FALSE);
}

static char *
random_topic (GRand *rand)
{
  GString *out = g_string_new (NULL);
  int n = g_rand_int_range (rand, 1, 6);

  for (int i = 0; i < n; i++)
    {
      if (i > 0)
        g_string_append_c (out, '.');
      g_string_append (out, random_token (rand));
    }
  return g_string_free (out, FALSE);
}

/* Many patterns: the index gives exactly what matching every pattern by itself gives,
 * before and after removing half of them. */
static void
test_index_fan_out (void)
{
  g_autoptr(DecaTopicIndex) index = deca_topic_index_new ();
  g_autoptr(GPtrArray) patterns = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GRand) rand = g_rand_new_with_seed (42);
  const guint n_patterns = 5000;
  guint total_matches = 0;

  for (guint i = 0; i < n_patterns; i++)
    {
      g_autofree char *subscriber = g_strdup_printf ("flow-%04u", i);

      g_ptr_array_add (patterns, random_pattern (rand));
      g_assert_true (deca_topic_index_add (index, patterns->pdata[i], subscriber, NULL));
    }
  g_assert_cmpuint (deca_topic_index_get_size (index), ==, n_patterns);

  for (guint round = 0; round < 2; round++)
    {
      for (guint t = 0; t < 300; t++)
        {
          g_autofree char *topic = random_topic (rand);
          g_autoptr(GPtrArray) found = deca_topic_index_match (index, topic);
          g_autoptr(GPtrArray) expected = g_ptr_array_new_with_free_func (g_free);

          for (guint i = 0; i < n_patterns; i++)
            {
              if (round == 1 && i % 2 == 0)
                continue;
              if (deca_topic_pattern_matches (patterns->pdata[i], topic))
                g_ptr_array_add (expected, g_strdup_printf ("flow-%04u", i));
            }

          if (found->len != expected->len)
            g_error ("topic %s: %u subscribers, expected %u", topic, found->len, expected->len);
          for (guint i = 0; i < found->len; i++)
            g_assert_cmpstr (found->pdata[i], ==, expected->pdata[i]);
          total_matches += found->len;
        }

      for (guint i = 0; round == 0 && i < n_patterns; i += 2)
        {
          g_autofree char *subscriber = g_strdup_printf ("flow-%04u", i);

          g_assert_true (deca_topic_index_remove (index, patterns->pdata[i], subscriber));
        }
    }

  /* The random mix does meet: the comparison above was not only of empty lists. */
  g_assert_cmpuint (total_matches, >, 1000);
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/deca/engine/topic/match-table", test_match_table);
  g_test_add_func ("/deca/engine/topic/invalid", test_invalid);
  g_test_add_func ("/deca/engine/topic/index-basic", test_index_basic);
  g_test_add_func ("/deca/engine/topic/index-fan-out", test_index_fan_out);

  return g_test_run ();
}
