/* skiff/skiff.h — everything a plugin may use, in one include.
 *
 * Plugins include this (or the individual headers) and nothing from the
 * core. See sdk/docs/plugin-guide.md.
 */
#ifndef SKIFF_SKIFF_H
#define SKIFF_SKIFF_H
#include <skiff/abi.h>
#include <skiff/obj.h>
#include <skiff/selector.h>
#include <skiff/loop.h>
#include <skiff/data.h>
#include <skiff/informer.h>
#include <skiff/plugin.h>
#include <skiff/resource.h>
#include <skiff/auth.h>
#include <skiff/admission.h>
#include <skiff/controller.h>
#include <skiff/scheduler.h>
#include <skiff/runtime.h>
#include <skiff/network.h>
#include <skiff/volume.h>
#include <skiff/loadbalancer.h>
#include <skiff/datastore.h>
#include <skiff/host.h>
#endif
