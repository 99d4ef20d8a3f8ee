/* The trigger node types: webhook, schedule, event and manual. */

#include "config.h"

#include <glib/gi18n-lib.h>

#include "deca-trigger-nodes.h"
#include "deca-cron.h"

#include <string.h>

struct _DecaTriggerNode
{
  DecaNodeBase parent_instance;
};

G_DEFINE_FINAL_TYPE (DecaTriggerNode, deca_trigger_node, DECA_TYPE_NODE_BASE)

/* Trigger configs are the trigger objects of the flow ("triggers": [{"type": "webhook",
 * "path": ...}]), which carry "type" and may carry fields of the studio, hence no
 * "additionalProperties": false. */
static const DecaNodeInfo trigger_infos[] = {
  {
    .name = "webhook",
    .title = N_("Webhook"),
    .description = N_("Starts the flow when an HTTP request arrives at a path of the server; "
                      "the request (body, headers, query) is the execution input."),
    .category = "trigger",
    .kind = DECA_NODE_KIND_TRIGGER,
    .replayable = TRUE,
    .schema =
      "{"
      "  \"type\": \"object\","
      "  \"title\": \"Webhook\","
      "  \"properties\": {"
      "    \"path\": {"
      "      \"type\": \"string\","
      "      \"pattern\": \"^/[^?#]\","
      "      \"minLength\": 2,"
      "      \"title\": \"Path\","
      "      \"description\": \"The path within the workspace's webhooks, starting with '/': "
      "/customer-signup is called at /webhook/WORKSPACE/customer-signup. A leading /webhook/ "
      "(as older flows wrote it) is dropped.\""
      "    },"
      "    \"method\": {"
      "      \"type\": \"string\","
      "      \"enum\": [\"GET\", \"POST\", \"PUT\", \"PATCH\", \"DELETE\"],"
      "      \"default\": \"POST\","
      "      \"title\": \"Method\","
      "      \"description\": \"The HTTP method the webhook accepts.\""
      "    },"
      "    \"response_timeout\": {"
      "      \"type\": \"integer\","
      "      \"minimum\": 1,"
      "      \"maximum\": 300,"
      "      \"default\": 30,"
      "      \"title\": \"Response timeout\","
      "      \"description\": \"With a respond node: how many seconds the caller waits for "
      "its response before it gets 504 (the execution goes on).\""
      "    },"
      "    \"auth\": {"
      "      \"type\": \"object\","
      "      \"title\": \"Signature check\","
      "      \"description\": \"Who may call: the request must carry the secret of a "
      "credential of the workspace. header: a header whose value is the secret; hmac-sha256: "
      "a header with the hex HMAC-SHA256 of the body, keyed with the secret (GitHub's "
      "X-Hub-Signature-256). A call without it is refused with 401 and runs nothing.\","
      "      \"properties\": {"
      "        \"type\": {"
      "          \"type\": \"string\","
      "          \"enum\": [\"header\", \"hmac-sha256\"],"
      "          \"title\": \"Check\","
      "          \"description\": \"header (a shared token) or hmac-sha256 (a signature of "
      "the body).\""
      "        },"
      "        \"credential\": {"
      "          \"type\": \"string\","
      "          \"pattern\": \"^[A-Za-z_][A-Za-z0-9_-]{0,63}$\","
      "          \"title\": \"Credential\","
      "          \"description\": \"The name of the workspace's credential whose 'secret' "
      "field is the shared secret.\""
      "        },"
      "        \"header\": {"
      "          \"type\": \"string\","
      "          \"pattern\": \"^[A-Za-z0-9-]+$\","
      "          \"title\": \"Header\","
      "          \"description\": \"The request header that carries it: X-Webhook-Token "
      "for header, X-Signature-256 for hmac-sha256 unless set.\""
      "        },"
      "        \"prefix\": {"
      "          \"type\": \"string\","
      "          \"default\": \"sha256=\","
      "          \"title\": \"Prefix\","
      "          \"description\": \"With hmac-sha256: what comes before the hex digits in "
      "the header.\""
      "        }"
      "      },"
      "      \"required\": [\"type\", \"credential\"],"
      "      \"additionalProperties\": false"
      "    }"
      "  },"
      "  \"required\": [\"path\"]"
      "}",
  },
  {
    .name = "schedule",
    .title = N_("Schedule"),
    .description = N_("Starts the flow at the times a cron expression describes."),
    .category = "trigger",
    .kind = DECA_NODE_KIND_TRIGGER,
    .replayable = TRUE,
    .schema =
      "{"
      "  \"type\": \"object\","
      "  \"title\": \"Schedule\","
      "  \"properties\": {"
      "    \"cron\": {"
      "      \"type\": \"string\","
      "      \"minLength\": 1,"
      "      \"title\": \"Cron expression\","
      "      \"description\": \"Five fields (minute hour day-of-month month day-of-week), six "
      "with leading seconds, or a macro such as @hourly. Example: '0 9 * * MON-FRI'.\""
      "    },"
      "    \"timezone\": {"
      "      \"type\": \"string\","
      "      \"default\": \"UTC\","
      "      \"title\": \"Time zone\","
      "      \"description\": \"The IANA time zone the cron expression is read in, for "
      "example Europe/Berlin.\""
      "    },"
      "    \"missed\": {"
      "      \"type\": \"string\","
      "      \"enum\": [\"run_once\", \"skip\", \"run_all\"],"
      "      \"default\": \"run_once\","
      "      \"title\": \"Missed runs\","
      "      \"description\": \"What happens to the times that passed while the server was "
      "down: run once for the latest of them, skip them, or run each (the latest, up to the "
      "catch-up limit).\""
      "    },"
      "    \"catch_up_limit\": {"
      "      \"type\": \"integer\","
      "      \"minimum\": 1,"
      "      \"maximum\": 1000,"
      "      \"default\": 10,"
      "      \"title\": \"Catch-up limit\","
      "      \"description\": \"With run_all, how many missed times run at most.\""
      "    }"
      "  },"
      "  \"required\": [\"cron\"]"
      "}",
  },
  {
    .name = "event",
    .title = N_("Event"),
    .description = N_("Starts the flow when an event whose topic matches the pattern is "
                      "published; the event's payload is the execution input."),
    .category = "trigger",
    .kind = DECA_NODE_KIND_TRIGGER,
    .replayable = TRUE,
    .schema =
      "{"
      "  \"type\": \"object\","
      "  \"title\": \"Event\","
      "  \"properties\": {"
      "    \"event\": {"
      "      \"type\": \"string\","
      "      \"minLength\": 1,"
      "      \"title\": \"Event pattern\","
      "      \"description\": \"The events to listen for: a topic such as "
      "customer.created, or a pattern in which * stands for one part (customer.*) and > for "
      "the rest (customer.>).\""
      "    }"
      "  },"
      "  \"required\": [\"event\"]"
      "}",
  },
  {
    .name = "manual",
    .title = N_("Manual"),
    .description = N_("Starts the flow when a person runs it from the studio, the CLI or the "
                      "API, with the input they give."),
    .category = "trigger",
    .kind = DECA_NODE_KIND_TRIGGER,
    .replayable = TRUE,
    .schema =
      "{"
      "  \"type\": \"object\","
      "  \"title\": \"Manual\","
      "  \"description\": \"No settings: the input comes from whoever starts the run.\","
      "  \"properties\": {}"
      "}",
  },
};

static const char * const trigger_names[] = { "webhook", "schedule", "event", "manual", NULL };

/* A config string that still holds a template cannot be checked before the run. */
static gboolean
is_template (const char *text)
{
  return strstr (text, "{{") != NULL;
}

/* Checks what the schema cannot: that a schedule's cron expression parses and its time
 * zone exists. */
static void
deca_trigger_node_check_config (DecaNodeBase *base,
                                JsonObject   *config,
                                GPtrArray    *problems)
{
  const DecaNodeInfo *info = _deca_node_base_get_info (base);
  JsonNode *node;

  if (!g_str_equal (info->name, "schedule"))
    return;

  node = json_object_get_member (config, "cron");
  if (node != NULL && JSON_NODE_HOLDS_VALUE (node)
      && json_node_get_value_type (node) == G_TYPE_STRING
      && !is_template (json_node_get_string (node)))
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(DecaCron) cron = deca_cron_parse (json_node_get_string (node), &error);

      if (cron == NULL)
        _deca_node_add_problem (problems, "/cron", _("invalid cron expression: %s"),
                                error->message);
    }

  node = json_object_get_member (config, "timezone");
  if (node != NULL && JSON_NODE_HOLDS_VALUE (node)
      && json_node_get_value_type (node) == G_TYPE_STRING
      && !is_template (json_node_get_string (node)))
    {
      const char *name = json_node_get_string (node);
      GTimeZone *tz = g_time_zone_new_identifier (name);

      if (tz == NULL)
        _deca_node_add_problem (problems, "/timezone", _("unknown time zone '%s'"), name);
      else
        g_time_zone_unref (tz);
    }
}

/* Outputs the execution input (the root "input" of the scope): the request of a webhook,
 * the payload of an event, whatever a person passed to a manual run. */
static void
deca_trigger_node_invoke (DecaNodeBase       *base,
                          DecaNodeInvocation *invocation)
{
  g_autoptr(GError) error = NULL;
  JsonNode *input;

  input = deca_node_invocation_evaluate (invocation, "input", &error);
  if (input == NULL)
    {
      deca_node_invocation_return_error (invocation, g_steal_pointer (&error));
      return;
    }
  _deca_node_return_output (invocation, input, NULL);
}

static void
deca_trigger_node_class_init (DecaTriggerNodeClass *klass)
{
  DecaNodeBaseClass *base_class = DECA_NODE_BASE_CLASS (klass);

  base_class->invoke = deca_trigger_node_invoke;
  base_class->check_config = deca_trigger_node_check_config;
}

static void
deca_trigger_node_init (DecaTriggerNode *self)
{
}

DecaNodeType *
deca_trigger_node_new (const char *name)
{
  DecaTriggerNode *self;

  g_return_val_if_fail (name != NULL, NULL);

  for (guint i = 0; i < G_N_ELEMENTS (trigger_infos); i++)
    {
      if (!g_str_equal (trigger_infos[i].name, name))
        continue;
      self = g_object_new (DECA_TYPE_TRIGGER_NODE, NULL);
      _deca_node_base_set_info (DECA_NODE_BASE (self), &trigger_infos[i]);
      return DECA_NODE_TYPE (self);
    }
  return NULL;
}

const char * const *
deca_trigger_node_list_names (void)
{
  return trigger_names;
}
