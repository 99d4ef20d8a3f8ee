/* fuzz-flow.c: libFuzzer target for flow documents.
 *
 * Every input goes through what a flow file meets on its way in: the validator (which
 * must report, never crash, on anything), the flow model, its JSON writer, the executor's
 * planner, and the studio's side: the editable document (load, paste), and the automatic
 * layout. Crashes, leaks and sanitizer reports are the findings.
 */

#include <stdint.h>

#include "deca-engine.h"
#include "deca-json.h"

static DecaNodeRegistry *registry;

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  g_autoptr(GPtrArray) problems = NULL;
  g_autoptr(DecaFlow) flow = NULL;
  g_autoptr(DecaExecutor) executor = NULL;
  g_autoptr(DecaExecution) execution = NULL;

  if (registry == NULL)
    registry = deca_node_registry_new_builtin ();

  problems = deca_validate_flow_data ((const char *) data, (gssize) size, registry);
  for (guint i = 0; i < problems->len; i++)
    {
      DecaValidationProblem *problem = g_ptr_array_index (problems, i);

      if (problem->pointer == NULL || problem->message == NULL || problem->message[0] == '\0')
        abort ();
    }

  /* The studio's editable document: loading, and pasting the same text into a new one. */
  {
    g_autoptr(DecaFlowDocument) document = deca_flow_document_new_from_data (registry, (const char *) data,
                                                                              (gssize) size, NULL);
    g_autoptr(DecaFlowDocument) target = deca_flow_document_new (registry);
    g_autofree char *text = g_strndup ((const char *) data, size);   /* paste wants a C string */
    g_auto(GStrv) pasted = NULL;
    g_autoptr(JsonNode) root = NULL;

    if (document != NULL)
      {
        root = deca_flow_document_to_json (document);
        deca_flow_document_get_problems (document);
        deca_flow_layout_layered (root, NULL, NULL);
      }
    pasted = deca_flow_document_paste (target, text, 10, 10, NULL);
    if (pasted != NULL)
      deca_flow_document_undo (target);
  }

  flow = deca_flow_new_from_data ((const char *) data, (gssize) size, NULL);
  if (flow == NULL)
    return 0;
  {
    g_autofree char *text = deca_flow_to_data (flow, TRUE, NULL);
    g_autoptr(DecaFlow) again = deca_flow_new_from_data (text, -1, NULL);

    /* What we write we must read back, unchanged. */
    if (again == NULL || !json_node_equal (deca_flow_get_document (again), deca_flow_get_document (flow)))
      abort ();
  }

  /* Only documents without problems reach the executor in practice (deca run validates
   * first); for those, planning must succeed or fail cleanly. Nothing runs: no main loop
   * is iterated, and the execution is cancelled at once. */
  if (problems->len == 0)
    {
      executor = deca_executor_new (registry);
      execution = deca_executor_start (executor, flow, NULL, NULL);
      if (execution != NULL)
        deca_execution_cancel (execution);
    }
  return 0;
}
