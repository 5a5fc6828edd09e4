// The phone's section bar (index.html's nav.jump, shown on narrow screens): marks the link of the part of the
// page on screen (aria-current), as a tab bar shows where one is. Each card belongs to the linked card at or
// before it (Runs to Training, Why this prediction to Draw, ...); the card crossing a line at 40 % of the
// viewport's height is the one on screen.
export function mountJump(): void {
  const links = Array.from(document.querySelectorAll<HTMLAnchorElement>('nav.jump a[href^="#"]'));
  const linked = new Map(links.map((a) => [a.hash.slice(1), a]));
  const owner = new Map<Element, HTMLAnchorElement>();
  let link: HTMLAnchorElement | undefined;
  for (const card of Array.from(document.querySelectorAll('main > section[id]'))) {
    link = linked.get(card.id) ?? link;
    if (link) owner.set(card, link);
  }
  let current: HTMLAnchorElement | null = null;
  const mark = (next: HTMLAnchorElement) => {
    if (next === current) return; // written only on a change: each write restyles the bar
    current?.removeAttribute('aria-current');
    next.setAttribute('aria-current', 'location');
    current = next;
  };
  const observer = new IntersectionObserver(
    (entries) => {
      for (const entry of entries) if (entry.isIntersecting) mark(owner.get(entry.target)!);
    },
    { rootMargin: '-40% 0px -59% 0px' },
  );
  for (const card of owner.keys()) observer.observe(card);
  if (links.length) mark(links[0]);
}
