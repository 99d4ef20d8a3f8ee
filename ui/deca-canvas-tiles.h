#pragma once

/* deca-canvas-tiles.h: the canvas's drawing while the view moves, cut into tiles and
 * kept, so that a pan or a zoom step moves images instead of drawing every curve and card
 * again. Not a widget: deca-canvas.c owns one and says what a tile shows. */

#include <gtk/gtk.h>

G_BEGIN_DECLS

/* A tile's side, in device pixels. */
#define DECA_CANVAS_TILE_SIZE 256

typedef struct _DecaCanvasTiles DecaCanvasTiles;

/* Draws the flow's @area (canvas units) on @cr, which is already scaled and translated
 * to canvas units at @scale device pixels per unit and clipped to @area; every pixel, as
 * tiles are copied opaque (the background is part of them). Returns FALSE
 * when something could not be drawn yet (a card not laid out): the tile is shown but not
 * kept. */
typedef gboolean (*DecaCanvasTilesDrawFunc) (cairo_t               *cr,
                                             const graphene_rect_t *area,
                                             double                 scale,
                                             gpointer               user_data);

DecaCanvasTiles *deca_canvas_tiles_new        (gsize                    max_bytes);
void             deca_canvas_tiles_free       (DecaCanvasTiles         *self);
void             deca_canvas_tiles_clear      (DecaCanvasTiles         *self);
void             deca_canvas_tiles_invalidate (DecaCanvasTiles         *self,
                                               const graphene_rect_t   *area);
gsize            deca_canvas_tiles_get_bytes  (DecaCanvasTiles         *self);

double           deca_canvas_tiles_level_scale (double                  zoom,
                                                int                     device_scale);
void             deca_canvas_tiles_region     (double                   level_scale,
                                               const graphene_rect_t   *visible,
                                               graphene_rect_t         *region);

void             deca_canvas_tiles_snapshot   (DecaCanvasTiles         *self,
                                               GtkSnapshot             *snapshot,
                                               const graphene_rect_t   *visible,
                                               double                   zoom,
                                               int                      device_scale,
                                               guint                    variant,
                                               DecaCanvasTilesDrawFunc  draw,
                                               gpointer                 user_data);
void             deca_canvas_tiles_paint      (DecaCanvasTiles         *self,
                                               cairo_t                 *cr,
                                               const graphene_rect_t   *visible,
                                               double                   zoom,
                                               int                      device_scale,
                                               guint                    variant,
                                               DecaCanvasTilesDrawFunc  draw,
                                               gpointer                 user_data);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (DecaCanvasTiles, deca_canvas_tiles_free)

G_END_DECLS
