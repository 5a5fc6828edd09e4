// The "Preset" select: the reference settings and the fast route to 98 % (presets.ts). Choosing one fills
// the form and picks its data set; the select shows "Custom" once the form says something else (or, for a
// preset's settings on the subset, "Reference, on the subset").
import { matchingPreset, PRESETS, type Preset } from '../presets';
import type { AppState } from '../state';
import { byId, el } from './dom';

export function mountPreset(intents: { choose(preset: Preset): void }): (s: AppState, previous: AppState) => void {
  const select = byId<HTMLSelectElement>('preset');
  const custom = el('option', { value: '' }, 'Custom');
  select.replaceChildren(custom, ...PRESETS.map((p) => el('option', { value: p.id }, p.label)));
  select.addEventListener('change', () => {
    const preset = PRESETS.find((p) => p.id === select.value);
    if (preset) intents.choose(preset);
  });
  return (s, previous) => {
    const running = s.phase === 'training' || s.phase === 'paused';
    if (select.disabled !== running) select.disabled = running;
    if (s.settings === previous.settings && s.dataSet === previous.dataSet && s.examplesChosen === previous.examplesChosen && s !== previous)
      return;
    const shown = matchingPreset(s.settings, s.dataSet, s.examplesChosen)?.id ?? '';
    // A preset's settings on the subset (a first visit's defaults are the reference's) say which, not "Custom".
    const onSubset = s.dataSet === 'subset' ? matchingPreset(s.settings, 'full', s.examplesChosen) : null;
    const customText = onSubset ? `${onSubset.name}, on the subset` : 'Custom';
    if (custom.textContent !== customText) custom.textContent = customText;
    if (select.value !== shown) select.value = shown;
  };
}
