/* deca-canvas-tiles.c: the moving view's drawing, in kept tiles.
 *
 * While the view moves, the canvas is drawn at a few fixed scales (levels a quarter of an
 * octave apart) in square tiles, each an image of that part of the flow. A frame paints
 * the tiles in view, scaled from their level to the zoom; only the tiles that come into
 * view, or whose part of the flow changed, are drawn. The tiles of other levels stay
 * until the memory they may take is used up, oldest first, so zooming back and forth
 * draws little. Tile edges fall on whole device pixels: neighbours meet without a seam. */

#include "config.h"

#include <math.h>

#include "deca-canvas-tiles.h"

/* Levels per octave of zoom. The tiles are drawn at most 2^(1/8) from their level's scale:
 * close enough that the scaling does not show while the view moves. */
#define LEVELS_PER_OCTAVE 4

typedef struct {
  /* the key */
  int level;
  int x;
  int y;
  guint variant;

  cairo_surface_t *image;
  GdkTexture *texture;   /* made from image when a renderer other than cairo draws it */
  guint64 used;          /* the frame that last showed it */
} Tile;

struct _DecaCanvasTiles
{
  GHashTable *tiles;     /* Tile -> Tile (owned) */
  gsize max_bytes;
  guint64 frame;
};

static guint
tile_hash (gconstpointer data)
{
  const Tile *tile = data;

  return ((guint) tile->level * 7919u) ^ ((guint) tile->x * 104729u) ^ ((guint) tile->y * 1299709u)
         ^ tile->variant;
}

static gboolean
tile_equal (gconstpointer a,
            gconstpointer b)
{
  const Tile *x = a, *y = b;

  return x->level == y->level && x->x == y->x && x->y == y->y && x->variant == y->variant;
}

static void
tile_free (gpointer data)
{
  Tile *tile = data;

  g_clear_object (&tile->texture);
  g_clear_pointer (&tile->image, cairo_surface_destroy);
  g_free (tile);
}

DecaCanvasTiles *
deca_canvas_tiles_new (gsize max_bytes)
{
  DecaCanvasTiles *self = g_new0 (DecaCanvasTiles, 1);

  self->tiles = g_hash_table_new_full (tile_hash, tile_equal, NULL, tile_free);
  self->max_bytes = max_bytes;
  return self;
}

void
deca_canvas_tiles_free (DecaCanvasTiles *self)
{
  if (self == NULL)
    return;
  g_hash_table_unref (self->tiles);
  g_free (self);
}

void
deca_canvas_tiles_clear (DecaCanvasTiles *self)
{
  g_hash_table_remove_all (self->tiles);
}

static gsize
tile_bytes (void)
{
  return (gsize) DECA_CANVAS_TILE_SIZE * DECA_CANVAS_TILE_SIZE * 4;
}

gsize
deca_canvas_tiles_get_bytes (DecaCanvasTiles *self)
{
  return g_hash_table_size (self->tiles) * tile_bytes ();
}

static double
level_to_scale (int level)
{
  return exp2 ((double) level / LEVELS_PER_OCTAVE);
}

static int
scale_to_level (double scale)
{
  return (int) lround (log2 (scale) * LEVELS_PER_OCTAVE);
}

double
deca_canvas_tiles_level_scale (double zoom,
                               int    device_scale)
{
  return level_to_scale (scale_to_level (zoom * MAX (device_scale, 1)));
}

/* The tile columns and rows that @visible (canvas units) touches at @scale. */
static void
tile_span (double                 scale,
           const graphene_rect_t *visible,
           int                   *x0,
           int                   *y0,
           int                   *x1,
           int                   *y1)
{
  double size = DECA_CANVAS_TILE_SIZE / scale;

  *x0 = (int) floor (visible->origin.x / size);
  *y0 = (int) floor (visible->origin.y / size);
  *x1 = (int) ceil ((visible->origin.x + visible->size.width) / size);
  *y1 = (int) ceil ((visible->origin.y + visible->size.height) / size);
}

void
deca_canvas_tiles_region (double                 level_scale,
                          const graphene_rect_t *visible,
                          graphene_rect_t       *region)
{
  double size = DECA_CANVAS_TILE_SIZE / level_scale;
  int x0, y0, x1, y1;

  tile_span (level_scale, visible, &x0, &y0, &x1, &y1);
  graphene_rect_init (region, x0 * size, y0 * size, (x1 - x0) * size, (y1 - y0) * size);
}

static void
tile_area (const Tile      *tile,
           graphene_rect_t *area)
{
  double size = DECA_CANVAS_TILE_SIZE / level_to_scale (tile->level);

  graphene_rect_init (area, tile->x * size, tile->y * size, size, size);
}

void
deca_canvas_tiles_invalidate (DecaCanvasTiles       *self,
                              const graphene_rect_t *area)
{
  GHashTableIter iter;
  Tile *tile;

  g_hash_table_iter_init (&iter, self->tiles);
  while (g_hash_table_iter_next (&iter, (gpointer *) &tile, NULL))
    {
      graphene_rect_t rect;

      tile_area (tile, &rect);
      if (graphene_rect_intersection (&rect, area, NULL))
        g_hash_table_iter_remove (&iter);
    }
}

static Tile *
draw_tile (int                     level,
           int                     x,
           int                     y,
           guint                   variant,
           DecaCanvasTilesDrawFunc draw,
           gpointer                user_data,
           gboolean               *complete)
{
  Tile *tile = g_new0 (Tile, 1);
  graphene_rect_t area;
  double scale = level_to_scale (level);
  cairo_t *cr;

  tile->level = level;
  tile->x = x;
  tile->y = y;
  tile->variant = variant;
  tile_area (tile, &area);
  tile->image = cairo_image_surface_create (CAIRO_FORMAT_ARGB32, DECA_CANVAS_TILE_SIZE,
                                            DECA_CANVAS_TILE_SIZE);
  cr = cairo_create (tile->image);
  cairo_scale (cr, scale, scale);
  cairo_translate (cr, -area.origin.x, -area.origin.y);
  cairo_rectangle (cr, area.origin.x, area.origin.y, area.size.width, area.size.height);
  cairo_clip (cr);
  *complete = draw (cr, &area, scale, user_data);
  cairo_destroy (cr);
  cairo_surface_flush (tile->image);
  return tile;
}

static GdkTexture *
tile_texture (Tile *tile)
{
  g_autoptr(GBytes) bytes = NULL;

  if (tile->texture)
    return tile->texture;
  /* The texture reads the image's pixels where they are; the bytes keep the image. */
  bytes = g_bytes_new_with_free_func (cairo_image_surface_get_data (tile->image),
                                      (gsize) cairo_image_surface_get_stride (tile->image)
                                        * DECA_CANVAS_TILE_SIZE,
                                      (GDestroyNotify) cairo_surface_destroy,
                                      cairo_surface_reference (tile->image));
  tile->texture = gdk_memory_texture_new (DECA_CANVAS_TILE_SIZE, DECA_CANVAS_TILE_SIZE,
                                          GDK_MEMORY_DEFAULT, bytes,
                                          cairo_image_surface_get_stride (tile->image));
  return tile->texture;
}

/* Where canvas coordinate @c falls in the widget, on a whole device pixel. */
static double
device_edge (double c,
             double origin,
             double zoom,
             int    device_scale)
{
  return round ((c - origin) * zoom * device_scale) / device_scale;
}

static void
paint_tile (cairo_t *cr,
            Tile    *tile,
            double   x0,
            double   y0,
            double   x1,
            double   y1)
{
  double sx = (x1 - x0) / DECA_CANVAS_TILE_SIZE, sy = (y1 - y0) / DECA_CANVAS_TILE_SIZE;
  cairo_pattern_t *pattern;

  cairo_save (cr);
  cairo_translate (cr, x0, y0);
  cairo_scale (cr, sx, sy);
  /* Tiles are opaque (DecaCanvasTilesDrawFunc): copied, not blended. */
  cairo_set_operator (cr, CAIRO_OPERATOR_SOURCE);
  cairo_set_source_surface (cr, tile->image, 0, 0);
  pattern = cairo_get_source (cr);
  /* Past its edge a tile goes on as its edge pixels, not as transparency: otherwise a
   * scaled tile would fade out along its border. */
  cairo_pattern_set_extend (pattern, CAIRO_EXTEND_PAD);
  /* Nearest, not bilinear: this is the cairo renderer, drawing without a GPU, where
   * filtering a whole view costs a third of a frame (2.7 against 1.1 ms for 1280 x 800).
   * The tiles are at most 2^(1/8) from their scale, and the view is drawn sharp again
   * as soon as it rests. Renderers with a GPU filter the textures at no cost. */
  cairo_pattern_set_filter (pattern, CAIRO_FILTER_NEAREST);
  cairo_rectangle (cr, 0, 0, DECA_CANVAS_TILE_SIZE, DECA_CANVAS_TILE_SIZE);
  cairo_fill (cr);
  cairo_restore (cr);
}

/* Forgets the tiles not shown for longest until the rest fit in max_bytes. */
static void
evict (DecaCanvasTiles *self)
{
  while (deca_canvas_tiles_get_bytes (self) > self->max_bytes)
    {
      GHashTableIter iter;
      Tile *tile, *oldest = NULL;

      g_hash_table_iter_init (&iter, self->tiles);
      while (g_hash_table_iter_next (&iter, (gpointer *) &tile, NULL))
        if (oldest == NULL || tile->used < oldest->used)
          oldest = tile;
      if (oldest == NULL || oldest->used == self->frame)
        return;
      g_hash_table_remove (self->tiles, oldest);
    }
}

/* The tiles of @visible (canvas units, its origin at the widget's) at @zoom, drawn with
 * @draw where missing, passed to @show with their place in the widget. @variant tells
 * drawings of one place and level apart that differ in kind (cards in full or boxes). */
typedef void (*ShowFunc) (Tile *tile, double x0, double y0, double x1, double y1,
                          gpointer data);

static void
show_tiles (DecaCanvasTiles         *self,
            const graphene_rect_t   *visible,
            double                   zoom,
            int                      device_scale,
            guint                    variant,
            DecaCanvasTilesDrawFunc  draw,
            gpointer                 user_data,
            ShowFunc                 show,
            gpointer                 show_data)
{
  double scale = deca_canvas_tiles_level_scale (zoom, device_scale);
  int level = scale_to_level (scale);
  double size = DECA_CANVAS_TILE_SIZE / scale;
  double ox = visible->origin.x, oy = visible->origin.y;
  int x0, y0, x1, y1;

  device_scale = MAX (device_scale, 1);
  self->frame++;
  tile_span (scale, visible, &x0, &y0, &x1, &y1);
  for (int y = y0; y < y1; y++)
    for (int x = x0; x < x1; x++)
      {
        Tile key = { .level = level, .x = x, .y = y, .variant = variant };
        Tile *tile = g_hash_table_lookup (self->tiles, &key);
        gboolean complete = TRUE;

        if (tile == NULL)
          {
            tile = draw_tile (level, x, y, variant, draw, user_data, &complete);
            if (complete)
              g_hash_table_add (self->tiles, tile);
          }
        tile->used = self->frame;
        show (tile,
              device_edge (x * size, ox, zoom, device_scale),
              device_edge (y * size, oy, zoom, device_scale),
              device_edge ((x + 1) * size, ox, zoom, device_scale),
              device_edge ((y + 1) * size, oy, zoom, device_scale),
              show_data);
        if (!complete)
          tile_free (tile);
      }
  evict (self);
}

static void
append_texture_cb (Tile    *tile,
                   double   x0,
                   double   y0,
                   double   x1,
                   double   y1,
                   gpointer data)
{
  gtk_snapshot_append_texture (data, tile_texture (tile),
                               &GRAPHENE_RECT_INIT (x0, y0, x1 - x0, y1 - y0));
}

static void
paint_tile_cb (Tile    *tile,
               double   x0,
               double   y0,
               double   x1,
               double   y1,
               gpointer data)
{
  paint_tile (data, tile, x0, y0, x1, y1);
}

/* For renderers that keep textures on the GPU: each tile is a texture node. */
void
deca_canvas_tiles_snapshot (DecaCanvasTiles         *self,
                            GtkSnapshot             *snapshot,
                            const graphene_rect_t   *visible,
                            double                   zoom,
                            int                      device_scale,
                            guint                    variant,
                            DecaCanvasTilesDrawFunc  draw,
                            gpointer                 user_data)
{
  show_tiles (self, visible, zoom, device_scale, variant, draw, user_data,
              append_texture_cb, snapshot);
}

/* For the cairo renderer: the tiles are painted on @cr, in widget units. */
void
deca_canvas_tiles_paint (DecaCanvasTiles         *self,
                         cairo_t                 *cr,
                         const graphene_rect_t   *visible,
                         double                   zoom,
                         int                      device_scale,
                         guint                    variant,
                         DecaCanvasTilesDrawFunc  draw,
                         gpointer                 user_data)
{
  show_tiles (self, visible, zoom, device_scale, variant, draw, user_data,
              paint_tile_cb, cr);
}
