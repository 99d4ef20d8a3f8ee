/* fuzz-flow.c: libFuzzer target for flow documents.
 *
 * Every input goes through what a flow file meets on its way in: the validator (which
 * must report, never crash, on anything), the flow model, its JSON writer and the
 * executor's planner. Crashes, leaks and sanitizer reports are the findings.
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
