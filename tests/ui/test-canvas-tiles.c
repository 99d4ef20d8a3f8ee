/* test-canvas-tiles.c: DecaCanvasTiles, the kept tiles the moving canvas is drawn from:
 * which tiles are drawn, kept, dropped and forgotten, and where their pixels land. No
 * display: the tiles are cairo images painted on a cairo image here. */

#include "deca-canvas-tiles.h"

#define VIEW_WIDTH 600
#define VIEW_HEIGHT 400

typedef struct {
  guint draws;
  gboolean complete;
} Drawer;

/* Paints every tile's area grey, and a red square at canvas (300, 200) - (310, 210). */
static gboolean
draw_cb (cairo_t               *cr,
         const graphene_rect_t *area,
         double                 scale,
         gpointer               data)
{
  Drawer *drawer = data;

  drawer->draws++;
  cairo_set_source_rgb (cr, 0.5, 0.5, 0.5);
  cairo_paint (cr);
  cairo_set_source_rgb (cr, 1, 0, 0);
  cairo_rectangle (cr, 300, 200, 10, 10);
  cairo_fill (cr);
  return drawer->complete;
}

/* Paints the view whose top left corner is canvas (@x, @y) at @zoom; returns the image. */
static cairo_surface_t *
paint_view (DecaCanvasTiles *tiles,
            Drawer          *drawer,
            double           x,
            double           y,
            double           zoom)
{
  cairo_surface_t *image = cairo_image_surface_create (CAIRO_FORMAT_ARGB32, VIEW_WIDTH,
                                                       VIEW_HEIGHT);
  cairo_t *cr = cairo_create (image);

  deca_canvas_tiles_paint (tiles, cr,
                           &GRAPHENE_RECT_INIT (x, y, VIEW_WIDTH / zoom, VIEW_HEIGHT / zoom),
                           zoom, 1, 0, draw_cb, drawer);
  cairo_destroy (cr);
  cairo_surface_flush (image);
  return image;
}

static guint32
pixel (cairo_surface_t *image,
       int              x,
       int              y)
{
  return ((guint32 *) (cairo_image_surface_get_data (image)
                       + y * cairo_image_surface_get_stride (image)))[x];
}

static guint
n_tiles (DecaCanvasTiles *tiles)
{
  return deca_canvas_tiles_get_bytes (tiles)
         / (DECA_CANVAS_TILE_SIZE * DECA_CANVAS_TILE_SIZE * 4);
}

static void
test_levels (void)
{
  graphene_rect_t region;

  /* A quarter of an octave apart; a zoom takes the nearest. */
  g_assert_cmpfloat_with_epsilon (deca_canvas_tiles_level_scale (1.0, 1), 1.0, 1e-9);
  g_assert_cmpfloat_with_epsilon (deca_canvas_tiles_level_scale (0.95, 1), 1.0, 1e-9);
  g_assert_cmpfloat_with_epsilon (deca_canvas_tiles_level_scale (0.8, 1), exp2 (-0.25), 1e-9);
  g_assert_cmpfloat_with_epsilon (deca_canvas_tiles_level_scale (1.0, 2), 2.0, 1e-9);

  /* The region is the visible rectangle out to whole tiles. */
  deca_canvas_tiles_region (1.0, &GRAPHENE_RECT_INIT (10, -10, 600, 400), &region);
  g_assert_cmpfloat (region.origin.x, ==, 0);
  g_assert_cmpfloat (region.origin.y, ==, -256);
  g_assert_cmpfloat (region.size.width, ==, 768);
  g_assert_cmpfloat (region.size.height, ==, 768);
}

static void
test_kept_and_placed (void)
{
  g_autoptr(DecaCanvasTiles) tiles = deca_canvas_tiles_new (64 * 1024 * 1024);
  Drawer drawer = { 0, TRUE };
  cairo_surface_t *image;

  /* 600 x 400 from (0, 0) at zoom 1: 3 x 2 tiles, each drawn once. */
  image = paint_view (tiles, &drawer, 0, 0, 1.0);
  g_assert_cmpuint (drawer.draws, ==, 6);
  g_assert_cmpuint (n_tiles (tiles), ==, 6);
  /* The red square is where the canvas puts it, and grey around it. */
  g_assert_cmphex (pixel (image, 305, 205), ==, 0xffff0000);
  g_assert_cmphex (pixel (image, 295, 205), ==, 0xff808080);
  cairo_surface_destroy (image);

  /* The same view again, and a pan within the same tiles: nothing is drawn. */
  image = paint_view (tiles, &drawer, 0, 0, 1.0);
  cairo_surface_destroy (image);
  image = paint_view (tiles, &drawer, 50, 40, 1.0);
  g_assert_cmpuint (drawer.draws, ==, 6);
  g_assert_cmphex (pixel (image, 255, 165), ==, 0xffff0000);
  cairo_surface_destroy (image);

  /* A zoom within the level scales its tiles: the square moves to 0.95 of its place. */
  image = paint_view (tiles, &drawer, 0, 0, 0.95);
  g_assert_cmpuint (drawer.draws, ==, 6);
  g_assert_cmphex (pixel (image, (int) (305 * 0.95), (int) (205 * 0.95)), ==, 0xffff0000);
  cairo_surface_destroy (image);

  /* Another level has tiles of its own; the first level's stay. */
  image = paint_view (tiles, &drawer, 0, 0, 0.5);
  g_assert_cmpuint (drawer.draws, >, 6);
  g_assert_cmphex (pixel (image, 152, 102), ==, 0xffff0000);
  cairo_surface_destroy (image);
  drawer.draws = 0;
  image = paint_view (tiles, &drawer, 0, 0, 1.0);
  g_assert_cmpuint (drawer.draws, ==, 0);
  cairo_surface_destroy (image);

  /* Clearing forgets them all. */
  deca_canvas_tiles_clear (tiles);
  g_assert_cmpuint (deca_canvas_tiles_get_bytes (tiles), ==, 0);
  image = paint_view (tiles, &drawer, 0, 0, 1.0);
  g_assert_cmpuint (drawer.draws, ==, 6);
  cairo_surface_destroy (image);
}

static void
test_invalidate (void)
{
  g_autoptr(DecaCanvasTiles) tiles = deca_canvas_tiles_new (64 * 1024 * 1024);
  Drawer drawer = { 0, TRUE };

  cairo_surface_destroy (paint_view (tiles, &drawer, 0, 0, 1.0));
  g_assert_cmpuint (drawer.draws, ==, 6);
  /* A change inside tile (1, 0) only, then one across the four tiles around (256, 256). */
  deca_canvas_tiles_invalidate (tiles, &GRAPHENE_RECT_INIT (300, 100, 10, 10));
  g_assert_cmpuint (n_tiles (tiles), ==, 5);
  cairo_surface_destroy (paint_view (tiles, &drawer, 0, 0, 1.0));
  g_assert_cmpuint (drawer.draws, ==, 7);
  deca_canvas_tiles_invalidate (tiles, &GRAPHENE_RECT_INIT (250, 250, 10, 10));
  g_assert_cmpuint (n_tiles (tiles), ==, 2);
  cairo_surface_destroy (paint_view (tiles, &drawer, 0, 0, 1.0));
  g_assert_cmpuint (drawer.draws, ==, 11);
}

static void
test_incomplete_not_kept (void)
{
  g_autoptr(DecaCanvasTiles) tiles = deca_canvas_tiles_new (64 * 1024 * 1024);
  Drawer drawer = { 0, FALSE };
  cairo_surface_t *image;

  /* A tile that could not show everything is painted but drawn again next time. */
  image = paint_view (tiles, &drawer, 0, 0, 1.0);
  g_assert_cmphex (pixel (image, 305, 205), ==, 0xffff0000);
  cairo_surface_destroy (image);
  g_assert_cmpuint (n_tiles (tiles), ==, 0);
  cairo_surface_destroy (paint_view (tiles, &drawer, 0, 0, 1.0));
  g_assert_cmpuint (drawer.draws, ==, 12);
}

static void
test_evict_oldest (void)
{
  /* Room for four tiles; a view needs six, which stay while it shows them. */
  g_autoptr(DecaCanvasTiles) tiles =
    deca_canvas_tiles_new (4 * DECA_CANVAS_TILE_SIZE * DECA_CANVAS_TILE_SIZE * 4);
  Drawer drawer = { 0, TRUE };

  cairo_surface_destroy (paint_view (tiles, &drawer, 0, 0, 1.0));
  g_assert_cmpuint (n_tiles (tiles), ==, 6);
  /* Far away: six other tiles, and the first six are forgotten. */
  cairo_surface_destroy (paint_view (tiles, &drawer, 10000, 10000, 1.0));
  g_assert_cmpuint (n_tiles (tiles), ==, 6);
  g_assert_cmpuint (drawer.draws, ==, 12);
  cairo_surface_destroy (paint_view (tiles, &drawer, 0, 0, 1.0));
  g_assert_cmpuint (drawer.draws, ==, 18);
}

int
main (int argc, char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/deca/ui/canvas-tiles/levels", test_levels);
  g_test_add_func ("/deca/ui/canvas-tiles/kept-and-placed", test_kept_and_placed);
  g_test_add_func ("/deca/ui/canvas-tiles/invalidate", test_invalidate);
  g_test_add_func ("/deca/ui/canvas-tiles/incomplete-not-kept", test_incomplete_not_kept);
  g_test_add_func ("/deca/ui/canvas-tiles/evict-oldest", test_evict_oldest);
  return g_test_run ();
}
