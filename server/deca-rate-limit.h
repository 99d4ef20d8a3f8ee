#pragma once

#include <glib-object.h>

#include "deca-clock.h"

G_BEGIN_DECLS

/*
 * DecaRateLimiter: token buckets, one per key (an API key's id, a token's subject, an
 * address). A bucket holds up to `burst` tokens and refills at `rate` tokens per second;
 * every request takes one. A full bucket is the same as no bucket, so buckets idle long
 * enough to have refilled are forgotten, and the number of buckets is capped: memory stays
 * bounded however many keys call. Safe to use from several threads.
 */

#define DECA_TYPE_RATE_LIMITER (deca_rate_limiter_get_type ())
G_DECLARE_FINAL_TYPE (DecaRateLimiter, deca_rate_limiter, DECA, RATE_LIMITER, GObject)

/* The number of buckets kept unless set otherwise. */
#define DECA_RATE_LIMITER_DEFAULT_MAX_BUCKETS 100000

/* Returns (transfer full) a limiter allowing @rate requests per second (> 0) per key, in
 * bursts of up to @burst (>= 1), reading the time from @clock (NULL: the system clock). */
DecaRateLimiter *deca_rate_limiter_new             (gdouble          rate,
                                                    guint            burst,
                                                    DecaClock       *clock);
/* Caps the number of buckets (>= 1). When a new key arrives and every kept bucket is
 * still refilling, the least recently used one is dropped: that key starts afresh, which
 * errs on the side of letting requests through. */
void             deca_rate_limiter_set_max_buckets (DecaRateLimiter *self,
                                                    guint            max_buckets);
/* Takes a token from @key's bucket. TRUE when the request may go ahead; FALSE when the
 * bucket is empty, with *out_retry_after (nullable) set to the whole seconds (>= 1,
 * rounded up) after which a token will be there: the `Retry-After` of the 429. */
gboolean         deca_rate_limiter_take            (DecaRateLimiter *self,
                                                    const char      *key,
                                                    guint           *out_retry_after);
/* Whether a take from @key's bucket would succeed now, without taking: for limits on what
 * a request turns out to be (a failed authentication is only known after the work the
 * limit is there to save). FALSE with *out_retry_after (nullable) set as take() would. */
gboolean         deca_rate_limiter_peek            (DecaRateLimiter *self,
                                                    const char      *key,
                                                    guint           *out_retry_after);
/* The number of buckets kept now. */
guint            deca_rate_limiter_get_n_buckets   (DecaRateLimiter *self);
gdouble          deca_rate_limiter_get_rate        (DecaRateLimiter *self);
guint            deca_rate_limiter_get_burst       (DecaRateLimiter *self);

G_END_DECLS
