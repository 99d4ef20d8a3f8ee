#pragma once

/* What deca-window.c and deca-window-actions.c share. */

#include "deca-window.h"

G_BEGIN_DECLS

struct _DecaWindow
{
  AdwApplicationWindow parent_instance;

  /* template widgets */
  AdwToastOverlay  *toast_overlay;
  AdwWindowTitle   *window_title;
  GtkWidget        *new_flow_button;
  GtkWidget        *undo_button;
  GtkWidget        *redo_button;
  GtkMenuButton    *problems_button;
  GtkPopover       *problems_popover;
  GtkListBox       *problems_list;
  GtkRevealer      *version_banner;
  GtkLabel         *version_banner_label;
  AdwFlap          *sidebar_flap;
  AdwFlap          *inspector_flap;
  GtkStack         *sidebar_stack;
  GtkStack         *inspector_stack;
  GtkStack         *main_stack;
  DecaFlowList     *flow_list;
  DecaPalette      *palette;
  DecaCanvas       *canvas;
  DecaInspector    *inspector;
  DecaHistoryPanel *history_panel;
  GMenu            *examples_section;
  GMenu            *flows_section;     /* the primary menu's New/Import/Export section */

  /* owned */
  DecaNodeRegistry *registry;
  DecaStoreWorker  *worker;
  GSettings        *settings;
  DecaFlowDocument *document;
  GCancellable     *open_cancellable;
  char             *flow_id;
  char             *loading_flow_id;   /* being loaded for editing, not shown yet */
  GMenu            *recent_menu;       /* "Open Recent", in flows_section while not empty */
  GStrv             recent_shown;      /* "id\nname" of its items, to skip rebuilds */
  gint64            saved_version;
  gint64            shown_version;     /* 0: the latest, editable */
  gint64            latest_version;    /* while viewing an older one */
  guint             autosave_id;
  guint             header_idle_id;    /* header buttons follow the folded sidebar */
  guint             edit_serial;       /* counts the document's changes */
  guint             saves_in_flight;
  char             *save_error;
  gulong            problems_handler;
  gulong            undo_handler;
  gulong            redo_handler;
  gulong            name_handler;
};

/* deca-window.c */
/* TRUE once the window is disposed: async callbacks that outlive it do nothing. */
gboolean _deca_window_is_gone           (DecaWindow       *self);
void     _deca_window_show_document     (DecaWindow       *self,
                                         DecaFlowDocument *document,
                                         const char       *flow_id,
                                         gint64            version,
                                         gint64            shown_version);
void     _deca_window_show_empty        (DecaWindow       *self);
void     _deca_window_update_title      (DecaWindow       *self);
void     _deca_window_toast             (DecaWindow       *self,
                                         const char       *message);
/* Opens the side panel @flap and shows its @page. */
void     _deca_window_reveal_page       (AdwFlap          *flap,
                                         GtkStack         *stack,
                                         const char       *page);
void     _deca_window_error_dialog      (DecaWindow       *self,
                                         const char       *heading,
                                         const char       *body);
/* Loads @flow_id at @version (0: the latest, for editing) and shows it. */
void     _deca_window_load              (DecaWindow       *self,
                                         const char       *flow_id,
                                         gint64            version);
/* The store's flows changed: every window of the application lists them again. */
void     _deca_window_flows_changed     (DecaWindow       *self);
/* Returns (transfer none) (nullable) the window of @self's application that shows
 * @flow_id (any version) or is loading it for editing: @self itself only when
 * @include_self. A flow lives in one window at a time; see deca_window_open_flow(). */
DecaWindow *_deca_window_find_flow      (DecaWindow       *self,
                                         const char       *flow_id,
                                         gboolean          include_self);
/* @flow_id was deleted: every window showing it moves on to another flow. */
void     _deca_window_flow_deleted      (DecaWindow       *self,
                                         const char       *flow_id);
/* Saves @text as a new flow (or version) and then opens it when @open is TRUE. */
void     _deca_window_store_and_open    (DecaWindow       *self,
                                         const char       *flow_id,
                                         const char       *name,
                                         const char       *text,
                                         gboolean          open);

/* deca-window-actions.c */
void     _deca_window_class_init_actions (GtkWidgetClass  *widget_class);
void     _deca_window_init_actions       (DecaWindow      *self);
void     _deca_window_update_actions     (DecaWindow      *self);

G_END_DECLS
