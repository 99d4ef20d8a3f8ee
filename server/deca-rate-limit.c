/* deca-rate-limit.c: token buckets per key, with bounded memory.
 *
 * Levels are kept in micro-tokens (a request costs 1,000,000): at `rate` tokens per second
 * a bucket gains `rate` micro-tokens per microsecond. They are doubles, not integers,
 * because rounding each refill down would, at low rates, add up to a Retry-After one
 * second too long; a level within EPSILON of a token counts as one, for the same reason
 * in the other direction.
 *
 * The buckets sit in a hash table for lookup and in a queue ordered by last use, least
 * recent first. Since a bucket only refills while unused, the ones at the head of the queue
 * are the first to be full again; each take drops those that are (amortised O(1)), and the
 * cap drops the head when it is reached.
 */

#include "config.h"

#include "deca-rate-limit.h"

#define MICRO 1000000.0
#define EPSILON 1e-3

typedef struct {
  char *key;
  gdouble level;            /* micro-tokens */
  gint64 updated_us;        /* when level was computed */
  GList link;               /* in lru; data points back at the bucket */
} Bucket;

struct _DecaRateLimiter
{
  GObject parent_instance;

  gdouble rate;
  guint burst;
  guint max_buckets;
  DecaClock *clock;

  GMutex mutex;
  GHashTable *buckets;      /* key → Bucket, owned */
  GQueue lru;               /* of Bucket, least recently used first */
};

G_DEFINE_FINAL_TYPE (DecaRateLimiter, deca_rate_limiter, G_TYPE_OBJECT)

static void
bucket_free (gpointer data)
{
  Bucket *bucket = data;

  g_free (bucket->key);
  g_free (bucket);
}

static void
deca_rate_limiter_dispose (GObject *object)
{
  DecaRateLimiter *self = DECA_RATE_LIMITER (object);

  g_clear_object (&self->clock);

  G_OBJECT_CLASS (deca_rate_limiter_parent_class)->dispose (object);
}

static void
deca_rate_limiter_finalize (GObject *object)
{
  DecaRateLimiter *self = DECA_RATE_LIMITER (object);

  /* The queue's links live inside the buckets the table frees. */
  g_queue_init (&self->lru);
  g_hash_table_unref (self->buckets);
  g_mutex_clear (&self->mutex);

  G_OBJECT_CLASS (deca_rate_limiter_parent_class)->finalize (object);
}

static void
deca_rate_limiter_class_init (DecaRateLimiterClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = deca_rate_limiter_dispose;
  object_class->finalize = deca_rate_limiter_finalize;
}

static void
deca_rate_limiter_init (DecaRateLimiter *self)
{
  g_mutex_init (&self->mutex);
  self->buckets = g_hash_table_new_full (g_str_hash, g_str_equal, NULL, bucket_free);
  g_queue_init (&self->lru);
  self->max_buckets = DECA_RATE_LIMITER_DEFAULT_MAX_BUCKETS;
}

DecaRateLimiter *
deca_rate_limiter_new (gdouble    rate,
                       guint      burst,
                       DecaClock *clock)
{
  DecaRateLimiter *self;

  g_return_val_if_fail (rate > 0, NULL);
  g_return_val_if_fail (burst >= 1, NULL);
  g_return_val_if_fail (clock == NULL || DECA_IS_CLOCK (clock), NULL);

  self = g_object_new (DECA_TYPE_RATE_LIMITER, NULL);
  self->rate = rate;
  self->burst = burst;
  self->clock = clock != NULL ? g_object_ref (clock) : deca_system_clock_get_default ();
  return self;
}

void
deca_rate_limiter_set_max_buckets (DecaRateLimiter *self,
                                   guint            max_buckets)
{
  g_return_if_fail (DECA_IS_RATE_LIMITER (self));
  g_return_if_fail (max_buckets >= 1);

  g_mutex_lock (&self->mutex);
  self->max_buckets = max_buckets;
  while (self->lru.length > self->max_buckets)
    {
      Bucket *oldest = g_queue_peek_head (&self->lru);

      g_queue_unlink (&self->lru, &oldest->link);
      g_hash_table_remove (self->buckets, oldest->key);
    }
  g_mutex_unlock (&self->mutex);
}

/* Brings @bucket's level up to @now_us. */
static void
refill (DecaRateLimiter *self,
        Bucket          *bucket,
        gint64           now_us)
{
  gdouble capacity = self->burst * MICRO;
  gint64 elapsed = now_us - bucket->updated_us;

  /* A clock that went back (a wall clock set by hand) refills nothing. */
  if (elapsed > 0)
    bucket->level = MIN (capacity, bucket->level + (gdouble) elapsed * self->rate);
  bucket->updated_us = now_us;
}

/* TRUE when @bucket, untouched since its last use, is full again at @now_us. */
static gboolean
is_full_at (DecaRateLimiter *self,
            Bucket          *bucket,
            gint64           now_us)
{
  gdouble missing = self->burst * MICRO - bucket->level;

  return (gdouble) (now_us - bucket->updated_us) * self->rate >= missing - EPSILON;
}

/* The whole seconds (>= 1, rounded up) until a bucket at @level has a token. */
static guint
retry_after_for (DecaRateLimiter *self,
                 gdouble          level)
{
  gdouble wait_us = (MICRO - level) / self->rate;
  gdouble seconds = wait_us / G_USEC_PER_SEC;
  guint rounded;

  if (seconds >= G_MAXUINT32)
    rounded = G_MAXUINT32;
  else
    {
      rounded = (guint) seconds;
      /* Up, but not past a whole second that is only off by rounding error. */
      if ((gdouble) rounded < seconds - 1e-9)
        rounded++;
    }
  return MAX (rounded, 1);
}

gboolean
deca_rate_limiter_peek (DecaRateLimiter *self,
                        const char      *key,
                        guint           *out_retry_after)
{
  Bucket *bucket;
  gdouble level;
  gint64 now_us, elapsed;
  gboolean allowed;

  g_return_val_if_fail (DECA_IS_RATE_LIMITER (self), FALSE);
  g_return_val_if_fail (key != NULL, FALSE);

  now_us = deca_clock_now_us (self->clock);

  g_mutex_lock (&self->mutex);
  bucket = g_hash_table_lookup (self->buckets, key);
  /* No bucket is a full one. The level is worked out, not stored: a look changes nothing. */
  level = bucket != NULL ? bucket->level : self->burst * MICRO;
  elapsed = bucket != NULL ? now_us - bucket->updated_us : 0;
  if (elapsed > 0)
    level = MIN (self->burst * MICRO, level + (gdouble) elapsed * self->rate);
  allowed = level >= MICRO - EPSILON;
  if (!allowed && out_retry_after != NULL)
    *out_retry_after = retry_after_for (self, level);
  g_mutex_unlock (&self->mutex);
  return allowed;
}

gboolean
deca_rate_limiter_take (DecaRateLimiter *self,
                        const char      *key,
                        guint           *out_retry_after)
{
  gint64 now_us;
  Bucket *bucket;
  gboolean allowed;

  g_return_val_if_fail (DECA_IS_RATE_LIMITER (self), FALSE);
  g_return_val_if_fail (key != NULL, FALSE);

  now_us = deca_clock_now_us (self->clock);

  g_mutex_lock (&self->mutex);

  /* Forget buckets that are full again: they are the same as new ones. */
  while (self->lru.length > 0)
    {
      Bucket *oldest = g_queue_peek_head (&self->lru);

      if (!is_full_at (self, oldest, now_us))
        break;
      g_queue_unlink (&self->lru, &oldest->link);
      g_hash_table_remove (self->buckets, oldest->key);
    }

  bucket = g_hash_table_lookup (self->buckets, key);
  if (bucket == NULL)
    {
      if (self->lru.length >= self->max_buckets)
        {
          Bucket *oldest = g_queue_peek_head (&self->lru);

          g_queue_unlink (&self->lru, &oldest->link);
          g_hash_table_remove (self->buckets, oldest->key);
        }
      bucket = g_new0 (Bucket, 1);
      bucket->key = g_strdup (key);
      bucket->level = self->burst * MICRO;
      bucket->updated_us = now_us;
      bucket->link.data = bucket;
      g_hash_table_insert (self->buckets, bucket->key, bucket);
    }
  else
    {
      g_queue_unlink (&self->lru, &bucket->link);
      refill (self, bucket, now_us);
    }
  g_queue_push_tail_link (&self->lru, &bucket->link);

  allowed = bucket->level >= MICRO - EPSILON;
  if (allowed)
    bucket->level = MAX (0, bucket->level - MICRO);
  else if (out_retry_after != NULL)
    *out_retry_after = retry_after_for (self, bucket->level);

  g_mutex_unlock (&self->mutex);
  return allowed;
}

guint
deca_rate_limiter_get_n_buckets (DecaRateLimiter *self)
{
  guint n;

  g_return_val_if_fail (DECA_IS_RATE_LIMITER (self), 0);

  g_mutex_lock (&self->mutex);
  n = self->lru.length;
  g_mutex_unlock (&self->mutex);
  return n;
}

gdouble
deca_rate_limiter_get_rate (DecaRateLimiter *self)
{
  g_return_val_if_fail (DECA_IS_RATE_LIMITER (self), 0);

  return self->rate;
}

guint
deca_rate_limiter_get_burst (DecaRateLimiter *self)
{
  g_return_val_if_fail (DECA_IS_RATE_LIMITER (self), 0);

  return self->burst;
}
