import type { BillingErrorEvent, BillingProvider } from 'billing-widgets';
import { defineComponent, onMounted, ref } from 'vue';
import { billingApiBase, fetchBillingToken, spendCredits, user } from './host-session';

/** The page's state and handlers; App.vue holds its template. */
export default defineComponent({
  setup() {
    const apiBase = ref<string>();
    const message = ref('');
    const provider = ref<BillingProvider>();

    onMounted(async () => {
      apiBase.value = await billingApiBase().catch(() => {
        message.value = 'The host backend is not answering.';
        return undefined;
      });
    });

    // The host shows billing failures its own way; preventing the event hides the element's toast.
    function onBillingError(event: BillingErrorEvent) {
      event.preventDefault();
      message.value = event.error.message;
    }

    // After the backend reports usage, every widget refreshes at once.
    async function spendCredit(feature: string, amount: number) {
      message.value = await spendCredits(feature, amount);
      await provider.value?.store.refresh(undefined, true);
    }

    return { user, apiBase, message, provider, fetchBillingToken, onBillingError, spendCredit };
  },
});
