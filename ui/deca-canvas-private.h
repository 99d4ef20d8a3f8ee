#pragma once

/* deca-canvas-private.h: what deca-canvas.c, -input.c, -dnd.c and -actions.c share. */

#include "deca-canvas.h"
#include "deca-canvas-tiles.h"
#include "deca-connection-view.h"
#include "deca-node-view.h"

G_BEGIN_DECLS

/* The grid the dots show, snapping uses and the arrow keys move by, in canvas units. */
#define DECA_CANVAS_GRID_STEP 20.0
/* Shift+arrow moves by this many grid steps. */
#define DECA_CANVAS_BIG_STEPS 5
#define DECA_CANVAS_MIN_ZOOM 0.1
#define DECA_CANVAS_MAX_ZOOM 4.0
/* One zoom-in or zoom-out step. */
#define DECA_CANVAS_ZOOM_STEP 1.25
/* The minimap's size and its distance from the bottom-right corner, in widget pixels. */
#define DECA_CANVAS_MINIMAP_WIDTH 200
#define DECA_CANVAS_MINIMAP_HEIGHT 130
#define DECA_CANVAS_MINIMAP_MARGIN 12
/* How far from a curve a press still selects it, in widget pixels. */
#define DECA_CANVAS_CURVE_TOLERANCE 6.0
/* Below this zoom the cards are drawn as plain boxes: their text would be unreadable
 * anyway, and a thousand of them must pan smoothly. */
#define DECA_CANVAS_DETAIL_ZOOM 0.35
/* How long the view must rest before the cards are drawn at its exact scale. */
#define DECA_CANVAS_SETTLE_MS 200
/* How long a refusal stays on screen. */
#define DECA_CANVAS_REFUSAL_MS 4000

typedef enum {
  DECA_CANVAS_DRAG_NONE,
  DECA_CANVAS_DRAG_MOVE,         /* moving the selected nodes */
  DECA_CANVAS_DRAG_CONNECT,      /* a rubber curve from an output port */
  DECA_CANVAS_DRAG_RUBBER_BAND,  /* selecting the nodes in a rectangle */
  DECA_CANVAS_DRAG_PAN,          /* middle button, or Space held */
  DECA_CANVAS_DRAG_MINIMAP,      /* moving the view from the minimap */
} DecaCanvasDragMode;

struct _DecaCanvas
{
  GtkWidget parent_instance;

  /* template widgets */
  GtkWidget *refusal_label;
  GtkWidget *condition_popover;
  GtkWidget *condition_entry;
  GtkWidget *condition_error;

  /* owned */
  DecaFlowDocument *document;
  GPtrArray *node_views;        /* (element-type DecaNodeView), in document order */
  GPtrArray *connection_views;  /* (element-type DecaConnectionView), in document order */
  GHashTable *view_by_item;     /* DecaFlowNodeItem -> DecaNodeView (both borrowed) */
  gulong nodes_changed_id;
  gulong connections_changed_id;
  guint refusal_timeout_id;
  double refusal_x;             /* where the refusal is shown, widget pixels */
  double refusal_y;
  guint problems_timeout_id;
  /* The minimap's cards in minimap pixels; NULL when a node moved since. */
  GskRenderNode *minimap_node;
  GdkTexture *minimap_texture;    /* minimap_node drawn once */
  graphene_rect_t minimap_world;  /* the canvas rectangle the minimap shows */
  /* A card moved or resized, or a connection changed: the curves must be placed again.
   * While only the view changes, they are not. */
  gboolean geometry_dirty;
  gint64 geometry_frame;  /* the frame clock's frame in which it was last placed again */
  /* Colours from the theme's named colours, read again when the style changes. */
  GdkRGBA fg_color;
  GdkRGBA accent_color;
  GdkRGBA error_color;
  GdkRGBA card_color;
  GdkRGBA view_color;

  /* the view */
  double zoom;
  double offset_x;
  double offset_y;
  gboolean snap_to_grid;
  gboolean show_minimap;
  gboolean fit_pending;  /* zoom to fit at the next allocation (a new document) */
  gboolean view_moving;  /* the view changed less than DECA_CANVAS_SETTLE_MS ago */
  gboolean place_all_pending;  /* the next allocation places every child, in view or not */
  guint settle_id;
  /* While the view moves, the curves and cards are drawn from these tiles. */
  DecaCanvasTiles *tiles;
  /* DecaNodeView -> GskRenderNode: the card's drawing as the tiles show it; a card that
   * draws differently has its tiles drawn again. */
  GHashTable *tile_sources;

  /* selection */
  guint n_selected;
  DecaConnectionView *selected_connection;

  /* pointer interaction; positions in widget pixels */
  GtkGesture *drag_gesture;
  gboolean pointer_pressing;      /* a press is choosing the selection: focus must not */
  gboolean keyboard_focus;        /* focus moved by Tab: scroll the card into view */
  DecaCanvasDragMode drag_mode;
  double drag_start_x;
  double drag_start_y;
  double drag_x;
  double drag_y;
  double drag_applied_dx;   /* canvas units already moved in this drag */
  double drag_applied_dy;
  GStrv drag_ids;
  gboolean drag_group_open;
  DecaNodeView *press_node;       /* the node pressed, for selecting it on release */
  GHashTable *rubber_base;        /* DecaNodeView set selected before an extending band */
  DecaNodeView *connect_from;
  const char *connect_port;       /* interned; NULL for the default port */
  /* The drag left from connect_from's input: the pointer is the output side, and the
   * output port it is dropped on is the one the connection leaves from. */
  gboolean connect_reverse;
  double pan_start_x;
  double pan_start_y;
  double pointer_x;
  double pointer_y;
  gboolean pointer_inside;
  gboolean space_held;
  double zoom_gesture_start;
  double zoom_gesture_cx;
  double zoom_gesture_cy;

  /* connecting from the keyboard */
  DecaNodeView *kb_source;
  DecaNodeView *kb_target;
  const char *kb_port;            /* interned: the source's port it leaves from */

  /* the connection whose condition the popover edits */
  DecaConnectionView *editing_connection;

  /* pasting the same text again cascades */
  char *last_paste_text;
  guint paste_count;
};

/* deca-canvas.c */
void                _deca_canvas_node_rect          (DecaCanvas         *self,
                                                     DecaNodeView       *view,
                                                     graphene_rect_t    *rect);
DecaNodeView       *_deca_canvas_node_at            (DecaCanvas         *self,
                                                     double              cx,
                                                     double              cy);
DecaNodeView       *_deca_canvas_port_at            (DecaCanvas         *self,
                                                     double              cx,
                                                     double              cy,
                                                     const char        **port);
DecaConnectionView *_deca_canvas_connection_at      (DecaCanvas         *self,
                                                     double              cx,
                                                     double              cy);
gboolean            _deca_canvas_in_minimap         (DecaCanvas         *self,
                                                     double              wx,
                                                     double              wy);
void                _deca_canvas_minimap_to_canvas  (DecaCanvas         *self,
                                                     double              wx,
                                                     double              wy,
                                                     double             *cx,
                                                     double             *cy);
void                _deca_canvas_set_node_selected  (DecaCanvas         *self,
                                                     DecaNodeView       *view,
                                                     gboolean            selected);
void                _deca_canvas_clear_selection    (DecaCanvas         *self);
void                _deca_canvas_select_only        (DecaCanvas         *self,
                                                     DecaNodeView       *view);
void                _deca_canvas_select_connection  (DecaCanvas         *self,
                                                     DecaConnectionView *view);
void                _deca_canvas_selection_changed  (DecaCanvas         *self);
void                _deca_canvas_select_ids         (DecaCanvas         *self,
                                                     const char * const *ids);
void                _deca_canvas_show_refusal       (DecaCanvas         *self,
                                                     const char         *message,
                                                     double              wx,
                                                     double              wy);
void                _deca_canvas_ensure_visible     (DecaCanvas         *self,
                                                     const graphene_rect_t *rect);
void                _deca_canvas_zoom_around        (DecaCanvas         *self,
                                                     double              zoom,
                                                     double              wx,
                                                     double              wy);
void                _deca_canvas_visible_rect       (DecaCanvas         *self,
                                                     graphene_rect_t    *rect);
void                _deca_canvas_update_actions     (DecaCanvas         *self);
void                _deca_canvas_emit_node_activated (DecaCanvas        *self,
                                                      const char        *id);

/* deca-canvas-input.c */
void                _deca_canvas_init_input         (DecaCanvas         *self);
void                _deca_canvas_cancel_interaction (DecaCanvas         *self);
gboolean            _deca_canvas_keyboard_connect_start (DecaCanvas     *self);
void                _deca_canvas_keyboard_connect_stop  (DecaCanvas     *self);
gboolean            _deca_canvas_get_rubber_curve   (DecaCanvas         *self,
                                                     double             *x0,
                                                     double             *y0,
                                                     double             *dx0,
                                                     double             *dy0,
                                                     double             *x3,
                                                     double             *y3,
                                                     double             *dx3,
                                                     double             *dy3);
void                _deca_canvas_edit_condition     (DecaCanvas         *self,
                                                     DecaConnectionView *view);
void                _deca_canvas_close_condition    (DecaCanvas         *self);
gboolean            _deca_canvas_focus              (GtkWidget          *widget,
                                                     GtkDirectionType    direction);
void                _deca_canvas_focus_child_changed (DecaCanvas        *self,
                                                      GtkWidget         *child);
void                _deca_canvas_condition_entry_activate_cb (DecaCanvas *self,
                                                              GtkEntry   *entry);
void                _deca_canvas_condition_popover_closed_cb (DecaCanvas *self,
                                                              GtkPopover *popover);

/* deca-canvas-dnd.c */
void                _deca_canvas_init_dnd           (DecaCanvas         *self);

/* deca-canvas-actions.c */
void                _deca_canvas_class_init_actions (GtkWidgetClass     *widget_class);

G_END_DECLS
