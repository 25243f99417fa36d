import { z } from 'zod';
import { defineAction, joinUrl, responseStatus } from '../core/define-action.js';
import { falconDeviceIds, falconEnvelope, withFalconToken } from './falcon-api.js';

const device = z
  .object({
    device_id: z.string(),
    hostname: z.string().nullish(),
    status: z.string().nullish(),
    platform_name: z.string().nullish(),
    os_version: z.string().nullish(),
    local_ip: z.string().nullish(),
    external_ip: z.string().nullish(),
    last_seen: z.string().nullish(),
    agent_version: z.string().nullish(),
  })
  .loose();

export const getDeviceAction = defineAction({
  key: 'crowdstrike.get_device',
  vendor: 'crowdstrike',
  title: 'CrowdStrike Falcon: get host details',
  docUrl: 'https://developer.crowdstrike.com/api-reference/collections/hosts/#getdevicedetailsv2',
  kind: 'enrichment',
  input: z.strictObject({ deviceIds: falconDeviceIds }),
  output: z.object({
    devices: z.array(
      z.object({
        deviceId: z.string(),
        hostname: z.string().nullable(),
        status: z.string().describe('normal, containment_pending, contained or lift_containment_pending'),
        contained: z.boolean(),
        platform: z.string().nullable(),
        osVersion: z.string().nullable(),
        localIp: z.string().nullable(),
        externalIp: z.string().nullable(),
        lastSeen: z.string().nullable(),
        agentVersion: z.string().nullable(),
      }),
    ),
    notFound: z.array(z.string()),
  }),
  secrets: ['clientId', 'clientSecret'],
  describeTarget: (input) => (input.deviceIds.length === 1 ? `host ${input.deviceIds[0]}` : `${input.deviceIds.length} hosts`),
  async run(input, ctx) {
    const ids = [...new Set(input.deviceIds.map((id) => id.toLowerCase()))];
    // The endpoint takes `ids` repeated, not axios' default `ids[]=`.
    const query = new URLSearchParams(ids.map((id): [string, string] => ['ids', id])).toString();
    let body: unknown;
    try {
      const res = await withFalconToken(ctx, (headers) =>
        ctx.http.get<unknown>(`${joinUrl(ctx.connection.baseUrl, '/devices/entities/devices/v2')}?${query}`, { headers, signal: ctx.signal }),
      );
      body = res.data;
    } catch (err) {
      // Falcon answers 404 when none of the IDs exist; that is a result (all not found).
      if (responseStatus(err) !== 404) throw err;
      body = { resources: [] };
    }
    const resources = z.array(device).parse(falconEnvelope.parse(body).resources ?? []);
    const devices = resources.map((d) => ({
      deviceId: d.device_id,
      hostname: d.hostname ?? null,
      status: d.status ?? 'normal',
      contained: d.status === 'contained',
      platform: d.platform_name ?? null,
      osVersion: d.os_version ?? null,
      localIp: d.local_ip ?? null,
      externalIp: d.external_ip ?? null,
      lastSeen: d.last_seen ?? null,
      agentVersion: d.agent_version ?? null,
    }));
    const found = new Set(devices.map((d) => d.deviceId.toLowerCase()));
    return { devices, notFound: ids.filter((id) => !found.has(id)) };
  },
});
