#pragma once

/* The public API of libdeca-engine. */

#include "deca-engine-error.h"
#include "deca-clock.h"
#include "deca-credential-provider.h"
#include "deca-expr.h"
#include "deca-flow.h"
#include "deca-flow-document.h"
#include "deca-flow-layout.h"
#include "deca-node-type.h"
#include "deca-node-invocation.h"
#include "deca-node-registry.h"
#include "deca-validator.h"
#include "deca-store.h"
#include "deca-store-worker.h"
#include "deca-event.h"
#include "deca-executor.h"
#include "deca-topic.h"
#include "deca-schedule-plan.h"
#include "deca-scheduler.h"
#include "deca-event-dispatcher.h"
#include "deca-event-sink.h"
