// GET /v1/events: what happened in the merchant's account, newest first.
import { z } from 'zod';
import { ListQuery, listOf } from './common.ts';

export const EventView = z.object({ id: z.string(), type: z.string(), created: z.string(), data: z.record(z.string(), z.unknown()) });
export type EventView = z.infer<typeof EventView>;

export const EventListQuery = ListQuery.extend({ type: z.string().max(64).optional() });
export const EventList = listOf(EventView);
