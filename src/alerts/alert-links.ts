/** Where the API serves an alert and its case: the `links` of alert views, and of the alerts in a case view. */
export function alertPath(id: string): string {
  return `/api/v1/alerts/${id}`;
}

export function casePath(id: string): string {
  return `/api/v1/cases/${id}`;
}
