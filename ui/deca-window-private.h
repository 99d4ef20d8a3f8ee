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

  /* owned */
  DecaNodeRegistry *registry;
  DecaStoreWorker  *worker;
  GSettings        *settings;
  DecaFlowDocument *document;
  GCancellable     *open_cancellable;
  char             *flow_id;
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
void     _deca_window_flows_changed     (DecaWindow       *self);
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
