// The "Preset" select: the reference settings and the fast route to 98 % (presets.ts). Choosing one fills
// the form and picks its data set; the select shows "Custom" once the form says something else.
import { matchingPreset, PRESETS, type Preset } from '../presets';
import type { AppState } from '../state';
import { byId, el } from './dom';

export function mountPreset(intents: { choose(preset: Preset): void }): (s: AppState, previous: AppState) => void {
  const select = byId<HTMLSelectElement>('preset');
  select.replaceChildren(el('option', { value: '' }, 'Custom'), ...PRESETS.map((p) => el('option', { value: p.id }, p.label)));
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
    if (select.value !== shown) select.value = shown;
  };
}
