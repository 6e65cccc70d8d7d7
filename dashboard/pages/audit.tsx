// The audit log: who changed what and when, newest first, a page at a time (GET /dashboard/api/audit).
// A target links to its customer or charge when the line says which it is.
import type { AuditLine, AuditList } from '../../protocol/schemas/dashboard.ts';
import { api, query } from '../api.ts';
import { when } from '../format.ts';
import { BASE, Link, type PageProps } from '../router.tsx';
import { Loading, Page, Pager, TableWrap, useLoad, usePager } from '../ui.tsx';

const LIMIT = 25;

/** The page of what a line acted on: a charge by its ch_ id, a customer by a customer.* action (their ids are the shop's own). */
function targetHref(line: AuditLine): string | undefined {
  if (!line.target) return undefined;
  const id = encodeURIComponent(line.target);
  if (line.target.startsWith('ch_')) return `${BASE}/charges/${id}`;
  if (line.action.startsWith('customer.')) return `${BASE}/customers/${id}`;
  return undefined;
}

/** Credentials a change may carry (a processor's keys): never shown, should a line hold one. */
const SECRET_KEYS = /(secret|api_key|hmac_key|password|token)/i;

function valueText(v: unknown): string {
  if (typeof v === 'string') return v;
  if (Array.isArray(v)) return v.map(valueText).join(',');
  return JSON.stringify(v);
}

/** `auto_pay_days=5 allowed_origins=https://a.example,https://b.example processor.type=stripe` */
export function detailsText(details: Record<string, unknown>, prefix = ''): string {
  return Object.entries(details)
    .map(([k, v]) => {
      const name = prefix + k;
      if (SECRET_KEYS.test(k)) return `${name}=[hidden]`;
      if (v && typeof v === 'object' && !Array.isArray(v)) return detailsText(v as Record<string, unknown>, `${name}.`);
      return `${name}=${valueText(v)}`;
    })
    .join(' ');
}

export function AuditPage(_props: PageProps) {
  const pager = usePager('audit');
  const state = useLoad(() => api.get<AuditList>(`/audit${query({ limit: LIMIT, starting_after: pager.after })}`), pager.after ?? '');
  return (
    <Page title="Audit log">
      <p class="muted">Every sign-in and every change made in this dashboard, with who made it.</p>
      <Loading state={state}>
        {(page) =>
          page.data.length === 0 ? (
            <p>Nothing has been recorded yet.</p>
          ) : (
            <>
              <TableWrap label="Audit log lines">
                <table class="audit">
                  <caption class="visually-hidden">Audit log, newest first</caption>
                  <thead>
                    <tr>
                      <th scope="col">When</th>
                      <th scope="col">Who</th>
                      <th scope="col">Action</th>
                      <th scope="col">Target</th>
                      <th scope="col">Details</th>
                    </tr>
                  </thead>
                  <tbody>
                    {page.data.map((line) => {
                      const href = targetHref(line);
                      return (
                        <tr key={line.id}>
                          <td>{when(line.created)}</td>
                          <td>{line.staff_email ?? <span class="muted">(removed)</span>}</td>
                          <td>
                            <code>{line.action}</code>
                          </td>
                          <td>{line.target ? href ? <Link href={href}>{line.target}</Link> : <code>{line.target}</code> : <span class="muted">—</span>}</td>
                          <td class="details">{detailsText(line.details) || <span class="muted">—</span>}</td>
                        </tr>
                      );
                    })}
                  </tbody>
                </table>
              </TableWrap>
              <Pager pager={pager} hasMore={page.has_more} lastId={page.data[page.data.length - 1]?.id} label="Audit log" />
            </>
          )
        }
      </Loading>
    </Page>
  );
}
