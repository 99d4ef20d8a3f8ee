/* deca-edit-burst.c: one undo step per burst of editing in one inspector field. */

#include "config.h"

#include "deca-edit-burst.h"

/* A pause this long in the editing of a field ends its step. */
#define BURST_PAUSE_MS 2000

typedef struct {
  DecaFlowDocument *document;  /* borrowed: the burst is data of the document */
  gconstpointer field;
  guint pause_source;
} Burst;

static GQuark
burst_quark (void)
{
  static GQuark quark;

  if (G_UNLIKELY (quark == 0))
    quark = g_quark_from_static_string ("deca-edit-burst");
  return quark;
}

static void
burst_free (gpointer data)
{
  Burst *burst = data;

  /* The document is going away: its open group goes with it. */
  g_clear_handle_id (&burst->pause_source, g_source_remove);
  g_free (burst);
}

static gboolean
pause_cb (gpointer data)
{
  Burst *burst = data;

  burst->pause_source = 0;
  deca_edit_burst_end (burst->document);
  return G_SOURCE_REMOVE;
}

void
deca_edit_burst_begin (DecaFlowDocument *document,
                       gconstpointer     field)
{
  Burst *burst;

  g_return_if_fail (DECA_IS_FLOW_DOCUMENT (document));

  burst = g_object_get_qdata (G_OBJECT (document), burst_quark ());
  if (burst != NULL && burst->field != field)
    {
      deca_edit_burst_end (document);
      burst = NULL;
    }
  if (burst == NULL)
    {
      burst = g_new0 (Burst, 1);
      burst->document = document;
      burst->field = field;
      deca_flow_document_begin_group (document, NULL);
      g_object_set_qdata_full (G_OBJECT (document), burst_quark (), burst, burst_free);
    }
  g_clear_handle_id (&burst->pause_source, g_source_remove);
  burst->pause_source = g_timeout_add (BURST_PAUSE_MS, pause_cb, burst);
}

void
deca_edit_burst_end (DecaFlowDocument *document)
{
  g_return_if_fail (DECA_IS_FLOW_DOCUMENT (document));

  if (g_object_get_qdata (G_OBJECT (document), burst_quark ()) == NULL)
    return;
  /* Dropping the data frees the burst and its pause timer. */
  g_object_set_qdata (G_OBJECT (document), burst_quark (), NULL);
  deca_flow_document_end_group (document);
}
